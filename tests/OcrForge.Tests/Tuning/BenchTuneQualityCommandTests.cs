using System.Text.Json.Nodes;
using OcrForge.Tests.Cli;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class BenchTuneQualityCommandTests
{
    [Fact]
    public void Json_holds_each_seeds_best_value_as_the_library_computes_it()
    {
        var (code, stdout, stderr) = CliProcess.Run("bench", "tune-quality", "--function", "hartmann6", "--sampler",
            "random,tpe", "--seeds", "2", "--seed", "5", "--trials", "15", "--json");
        Assert.True(code == 0, stderr);
        var rows = JsonNode.Parse(stdout)!.AsArray();
        Assert.Equal(["random", "tpe"], rows.Select(r => r!["sampler"]!.GetValue<string>()));
        var expected = SamplerBenchmark.Run([BenchmarkFunction.Hartmann6], ["random", "tpe"], 2, 15, 5);
        for (int i = 0; i < 2; i++)
        {
            Assert.Equal([5, 6], rows[i]!["seeds"]!.AsArray().Select(s => s!.GetValue<int>()));
            Assert.Equal(expected[i].Best, rows[i]!["best"]!.AsArray().Select(b => b!.GetValue<double>()));
            Assert.Equal(expected[i].Median, rows[i]!["median"]!.GetValue<double>());
            Assert.Equal(-3.32237, rows[i]!["minimum"]!.GetValue<double>(), 5);
        }
    }

    [Fact]
    public void Simulated_workers_reach_the_json_and_the_library_alike()
    {
        var (code, stdout, stderr) = CliProcess.Run("bench", "tune-quality", "--function", "branin", "--sampler",
            "tpe-no-liar", "--seeds", "1", "--seed", "2", "--trials", "14", "--workers", "4", "--json");
        Assert.True(code == 0, stderr);
        var row = Assert.Single(JsonNode.Parse(stdout)!.AsArray())!;
        Assert.Equal(4, row["workers"]!.GetValue<int>());
        var expected = SamplerBenchmark.BestValue(BenchmarkFunction.Branin,
            new TpeSampler(2) { ConstantLiar = false }, 14, workers: 4);
        Assert.Equal(expected, Assert.Single(row["best"]!.AsArray())!.GetValue<double>());
    }

    [Fact]
    public void An_unknown_function_is_one_line_exit_2()
    {
        var (code, stdout, stderr) = CliProcess.Run("bench", "tune-quality", "--function", "branin,rosenbrock");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Equal("error: benchmark function 'rosenbrock': expected one of branin, hartmann6, branin-mixed\n", stderr);
    }
}
