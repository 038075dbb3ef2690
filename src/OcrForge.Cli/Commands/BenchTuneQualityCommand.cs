using System.CommandLine;
using OcrForge.Tuning;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge bench tune-quality</c>: best value per sampler on standard functions, many seeds, in memory
/// (bench/tpe-quality.sh puts Optuna beside it).</summary>
public static class BenchTuneQualityCommand
{
    public static Command Create()
    {
        var all = BenchmarkFunction.All.Select(f => f.Name).ToList();
        var functions = new Option<string>("--function")
        {
            Description = $"Benchmark functions, comma-separated ({string.Join(", ", all)}).",
            DefaultValueFactory = _ => string.Join(',', all),
        };
        var samplers = new Option<string>("--sampler")
        {
            Description = "Samplers, comma-separated (tpe, random; tpe-no-liar: TPE ignoring running trials).",
            DefaultValueFactory = _ => "tpe,random",
        };
        var workers = new Option<int>("--workers")
        {
            Description = "Simulated concurrent workers: each trial is sampled while the previous W − 1 still run.",
            DefaultValueFactory = _ => 1,
        };
        var seeds = new Option<int>("--seeds")
        {
            Description = "Studies per function and sampler, seeded --seed, --seed + 1, …",
            DefaultValueFactory = _ => 20,
        };
        var seed = SharedOptions.Seed("First seed (docs/RESULTS.md measured from --seed 0).");
        var trials = new Option<int>("--trials") { Description = "Trials per study.", DefaultValueFactory = _ => 100 };
        var json = SharedOptions.Json("Print every study's best value as one JSON document.");
        var command = new Command("tune-quality", "Search quality: the best value each sampler finds on standard "
            + "functions (Branin, Hartmann-6, a mixed variant), one in-memory study per seed.");
        foreach (var o in new Option[] { functions, samplers, seeds, seed, trials, workers, json })
            command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            var chosen = Split(parse.GetValue(functions)!).Select(BenchmarkFunction.Find).ToList();
            bool quiet = parse.GetValue(json);
            var results = SamplerBenchmark.Run(chosen, Split(parse.GetValue(samplers)!), parse.GetValue(seeds),
                parse.GetValue(trials), parse.GetValue(seed), quiet ? null : new Lines(), parse.GetValue(workers));
            if (quiet)
            {
                JsonOutput.Write(results.Select(r => new
                {
                    r.Function, r.Sampler, r.Trials, r.Workers, r.Minimum, r.Median, r.Q1, r.Q3, r.Seeds, r.Best,
                }).ToList());
                return Cli.Ok;
            }
            var table = new Table().AddColumns("function", "minimum", "sampler", "median best", "IQR")
                .Title($"{results[0].Seeds.Count} seeds × {results[0].Trials} trials, {results[0].Workers} worker(s)");
            foreach (var r in results)
                table.AddRow(r.Function, $"{r.Minimum:0.####}", r.Sampler, $"{r.Median:0.####}",
                    $"{r.Q1:0.####} – {r.Q3:0.####}");
            AnsiConsole.Write(table);
            return Cli.Ok;
        }));
        return command;
    }

    /// <summary>
    /// Prints each result as it comes, on the calling thread (Progress&lt;T&gt; would post them out of order).
    /// </summary>
    private sealed class Lines : IProgress<SamplerQuality>
    {
        public void Report(SamplerQuality q) =>
            AnsiConsole.MarkupLineInterpolated($"[grey]{q.Function} {q.Sampler}: median best {q.Median:0.####}[/]");
    }

    private static IEnumerable<string> Split(string list) =>
        list.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries);
}
