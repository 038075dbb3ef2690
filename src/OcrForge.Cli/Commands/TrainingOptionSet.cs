using System.CommandLine;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Training;

namespace OcrForge.Cli.Commands;

/// <summary>The options every training task takes, mapped one to one onto <see cref="TrainingOptions"/>.</summary>
/// <param name="recipe">The task's recipe: each option's default, so <c>--help</c> shows what a run without it
/// does.</param>
/// <param name="task">The task, which decides the options that only it takes.</param>
public sealed class TrainingOptionSet(TrainingOptions recipe, RunTask task)
{
    private readonly TrainingOptionRow[] _rows = TrainingOptionTable.Rows(recipe, task);

    public Option<string> Data { get; } =
        SharedOptions.Data("Dataset folder (or .csv manifest); required unless --spec names it.", required: false);

    public Option<string?> Spec { get; } = new("--spec")
    {
        Description = "Run specification file (JSON, e.g. from tune best --spec); options given on the command " +
            "line override it.",
    };

    public Option<DatasetFormat> Format { get; } = SharedOptions.Format();

    public Option<string[]> Set { get; } = new("--set")
    {
        Description = "Override a preset's setting: key=value (repeatable).", AllowMultipleArgumentsPerToken = false,
    };

    public Option<bool> Resume { get; } =
        new("--resume") { Description = "Continue from the run folder's last checkpoint." };

    public Option<int?> Threads { get; } = SharedOptions.Threads("Torch threads (default: all cores).");

    public Option<string> Out { get; } =
        SharedOptions.Out("Model file to write (.ocrf); logs go to a .train folder beside it.");

    public Option<bool> Json { get; } =
        SharedOptions.Json("Print the result as one JSON document on stdout (epoch lines go to stderr).");

    public void AddTo(Command command)
    {
        Option[] options = [Data, Spec, Format, Set, .. _rows.Select(r => r.Option), Resume, Threads, Out, Json];
        foreach (var option in options) command.Options.Add(option);
    }

    /// <summary>
    /// The run to start from: the <c>--spec</c> file, else the task's recipe on <c>--data</c>, with <c>--data</c>,
    /// <c>--format</c> and <c>--set</c> applied when given (a <c>--set</c> key replaces the file's setting of it).
    /// </summary>
    /// <param name="preset">The preset the command line names, whose recipe a run without --spec starts from.</param>
    public RunSpecification Specification(ParseResult parse, RunTask task, Option<string>? preset = null)
    {
        var baseline = parse.GetValue(Spec) is { } path ? RunSpecification.Load(path) : null;
        if (baseline is not null && baseline.Task != task)
        {
            var given = baseline.Task.ToString().ToLowerInvariant();
            throw new OcrForgeException($"{parse.GetValue(Spec)}: a {given} run; use `ocrforge train {given}`");
        }
        var data = (parse.GetResult(Data) is { Implicit: false } ? parse.GetValue(Data) : baseline?.Data.Path)
            ?? throw new OcrForgeException("--data: required (the dataset folder), unless --spec names it");
        var spec = baseline ?? RunSpecification.Default(task, data,
            preset is not null && parse.GetResult(preset) is { Implicit: false } ? parse.GetValue(preset) : null);
        var overrides = Models.ModelRegistry.ParseOverrides(parse.GetValue(Set) ?? []);
        return spec with
        {
            Data = spec.Data with
            {
                Path = data, Format = Pick(parse, Format, spec.Data.Format),
                // The split lives in data: --val-fraction given here replaces a --spec file's data.validation_fraction.
                ValidationFraction = Given<double>(parse, "--val-fraction") is { } v ? v : spec.Data.ValidationFraction,
                // --seed given here seeds the split too, as it says: the file's data.seed gives way to it.
                Seed = Given<int>(parse, "--seed") is not null ? null : spec.Data.Seed,
            },
            Model = spec.Model with
            {
                Overrides = [.. spec.Model.Overrides.Where(kv => overrides.All(o => o.Key != kv.Key)), .. overrides],
            },
        };
    }

    /// <summary>The value of the training option <paramref name="name"/> when the command line gives it.</summary>
    private T? Given<T>(ParseResult parse, string name) where T : struct =>
        _rows.Single(r => r.Option.Name == name).Option is Option<T> option
            && parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option) : null;

    /// <summary>The options as given, the run's (<paramref name="from"/>, default the recipe) where left out.</summary>
    public TrainingOptions Read(ParseResult parse, TrainingOptions? from = null)
    {
        var outPath = parse.GetValue(Out)!;
        if (!outPath.EndsWith(IO.ModelFile.Extension, StringComparison.OrdinalIgnoreCase))
            throw new OcrForgeException($"--out {outPath}: model files end in {IO.ModelFile.Extension}");
        var options = new TrainingOptions
        {
            Resume = parse.GetValue(Resume),
            Threads = from is null ? parse.GetValue(Threads) : Pick(parse, Threads, from.Threads),
            RunDirectory = TrainingOptions.RunDirectoryFor(outPath),
        };
        return _rows.Aggregate(options, (to, row) => row.Apply(parse, from, to)).Validate();
    }

    /// <summary>The option's value when the command line gives it, else <paramref name="fallback"/> (the
    /// <c>--spec</c> file's).</summary>
    public static T Pick<T>(ParseResult parse, Option<T> option, T fallback) =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fallback;
}
