using System.CommandLine;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Training;

namespace OcrForge.Cli.Commands;

/// <summary>The options every training task takes, mapped one to one onto <see cref="TrainingOptions"/>.</summary>
public sealed class TrainingOptionSet
{
    /// <param name="recipe">The task's recipe: each option's default, so <c>--help</c> shows what a run without it does.</param>
    public TrainingOptionSet(TrainingOptions recipe)
    {
        Epochs = new("--epochs") { Description = "Maximum number of epochs.", DefaultValueFactory = _ => recipe.Epochs };
        BatchSize = new("--batch-size") { Description = "Images per optimizer step.", DefaultValueFactory = _ => recipe.BatchSize };
        LearningRate = new("--lr") { Description = "Peak learning rate.", DefaultValueFactory = _ => recipe.LearningRate };
        Optimizer = new("--optimizer") { Description = "adam, adamw, adamax, adadelta, adagrad, sgd (Nesterov, --momentum) or rmsprop.", DefaultValueFactory = _ => recipe.Optimizer };
        Schedule = new("--schedule") { Description = "Learning-rate schedule: none, plateau, cosine or onecycle.", DefaultValueFactory = _ => recipe.Schedule };
        Patience = new("--patience") { Description = "Stop after this many epochs without a lower validation loss (0 = never).", DefaultValueFactory = _ => recipe.Patience };
        ValidationFraction = new("--val-fraction") { Description = "Share of the images held out for validation and early stopping.", DefaultValueFactory = _ => recipe.ValidationFraction };
        Augment = new("--augment") { Description = "Random rotation, shift, zoom, noise and blur on training images (--augment false: off).", DefaultValueFactory = _ => recipe.Augment };
        Seed = new("--seed") { Description = "Seed for the split, initialisation, order and augmentation.", DefaultValueFactory = _ => recipe.Seed };
        WeightDecay = new("--weight-decay") { Description = "L2 penalty on the weights, decoupled for adamw (default: the recipe's, else the optimizer's: 0, adamw 0.01).", DefaultValueFactory = _ => recipe.WeightDecay };
        Momentum = new("--momentum") { Description = "Momentum of sgd (Nesterov); the other optimizers ignore it.", DefaultValueFactory = _ => recipe.Momentum };
        GradClip = new("--grad-clip") { Description = "Clip the global gradient norm to this value (0 = off).", DefaultValueFactory = _ => recipe.GradClip };
        Ema = new("--ema") { Description = "Validate, keep and save a moving average of the weights with this decay per step (e.g. 0.999; 0 = off).", DefaultValueFactory = _ => recipe.Ema };
    }

    public Option<string> Data { get; } = SharedOptions.Data("Dataset folder (or .csv manifest); required unless --spec names it.", required: false);
    public Option<string?> Spec { get; } = new("--spec") { Description = "Run specification file (JSON, e.g. from tune best --spec); options given on the command line override it." };
    public Option<DatasetFormat> Format { get; } = SharedOptions.Format();
    public Option<string[]> Set { get; } = new("--set") { Description = "Override a preset's setting: key=value (repeatable).", AllowMultipleArgumentsPerToken = false };
    public Option<int> Epochs { get; }
    public Option<int> BatchSize { get; }
    public Option<double> LearningRate { get; }
    public Option<OptimizerKind> Optimizer { get; }
    public Option<ScheduleKind> Schedule { get; }
    public Option<int> Patience { get; }
    public Option<double> ValidationFraction { get; }
    public Option<bool> Augment { get; }
    public Option<int> Seed { get; }
    public Option<double?> WeightDecay { get; }
    public Option<double> Momentum { get; }
    public Option<double> GradClip { get; }
    public Option<double> Ema { get; }
    public Option<bool> Resume { get; } = new("--resume") { Description = "Continue from the run folder's last checkpoint." };
    public Option<int?> Threads { get; } = SharedOptions.Threads("Torch threads (default: all cores).");
    public Option<string> Out { get; } = SharedOptions.Out("Model file to write (.ocrf); logs go to a .train folder beside it.");
    public Option<bool> Json { get; } = SharedOptions.Json("Print the result as one JSON document on stdout (epoch lines go to stderr).");

    public void AddTo(Command command)
    {
        foreach (var option in new Option[] { Data, Spec, Format, Set, Epochs, BatchSize, LearningRate, Optimizer, WeightDecay, Momentum, Schedule, Patience, ValidationFraction, Augment, Seed, GradClip, Ema, Resume, Threads, Out, Json })
            command.Options.Add(option);
    }

    /// <summary>
    /// The run to start from: the <c>--spec</c> file, else the task's recipe on <c>--data</c>, with <c>--data</c>,
    /// <c>--format</c> and <c>--set</c> applied when given (a <c>--set</c> key replaces the file's setting of it).
    /// </summary>
    public RunSpecification Specification(ParseResult parse, RunTask task)
    {
        var baseline = parse.GetValue(Spec) is { } path ? RunSpecification.Load(path) : null;
        if (baseline is not null && baseline.Task != task)
            throw new OcrForgeException($"{parse.GetValue(Spec)}: a {baseline.Task.ToString().ToLowerInvariant()} run; use `ocrforge train {baseline.Task.ToString().ToLowerInvariant()}`");
        var data = (parse.GetResult(Data) is { Implicit: false } ? parse.GetValue(Data) : baseline?.Data.Path)
            ?? throw new OcrForgeException("--data: required (the dataset folder), unless --spec names it");
        var spec = baseline ?? RunSpecification.Default(task, data);
        var overrides = Models.ModelRegistry.ParseOverrides(parse.GetValue(Set) ?? []);
        return spec with
        {
            Data = spec.Data with
            {
                Path = data, Format = Pick(parse, Format, spec.Data.Format),
                // The split lives in data: --val-fraction given here replaces a --spec file's data.validation_fraction.
                ValidationFraction = parse.GetResult(ValidationFraction) is { Implicit: false }
                    ? parse.GetValue(ValidationFraction) : spec.Data.ValidationFraction,
            },
            Model = spec.Model with
            {
                Overrides = [.. spec.Model.Overrides.Where(kv => overrides.All(o => o.Key != kv.Key)), .. overrides],
            },
        };
    }

    /// <summary>The options as given, the run's (<paramref name="from"/>, default the recipe) where left out.</summary>
    public TrainingOptions Read(ParseResult parse, TrainingOptions? from = null)
    {
        var outPath = parse.GetValue(Out)!;
        if (!outPath.EndsWith(IO.ModelFile.Extension, StringComparison.OrdinalIgnoreCase))
            throw new OcrForgeException($"--out {outPath}: model files end in {IO.ModelFile.Extension}");
        var o = from ?? new TrainingOptions
        {
            Epochs = parse.GetValue(Epochs), BatchSize = parse.GetValue(BatchSize), LearningRate = parse.GetValue(LearningRate),
            Optimizer = parse.GetValue(Optimizer), Schedule = parse.GetValue(Schedule), Patience = parse.GetValue(Patience),
            ValidationFraction = parse.GetValue(ValidationFraction), Augment = parse.GetValue(Augment), Seed = parse.GetValue(Seed),
            GradClip = parse.GetValue(GradClip), Ema = parse.GetValue(Ema), WeightDecay = parse.GetValue(WeightDecay),
            Momentum = parse.GetValue(Momentum), Threads = parse.GetValue(Threads),
        };
        return new TrainingOptions
        {
            Epochs = Pick(parse, Epochs, o.Epochs),
            BatchSize = Pick(parse, BatchSize, o.BatchSize),
            LearningRate = Pick(parse, LearningRate, o.LearningRate),
            Optimizer = Pick(parse, Optimizer, o.Optimizer),
            Schedule = Pick(parse, Schedule, o.Schedule),
            Patience = Pick(parse, Patience, o.Patience),
            ValidationFraction = Pick(parse, ValidationFraction, o.ValidationFraction),
            Augment = Pick(parse, Augment, o.Augment),
            Seed = Pick(parse, Seed, o.Seed),
            GradClip = Pick(parse, GradClip, o.GradClip),
            Ema = Pick(parse, Ema, o.Ema),
            WeightDecay = Pick(parse, WeightDecay, o.WeightDecay),
            Momentum = Pick(parse, Momentum, o.Momentum),
            Resume = parse.GetValue(Resume),
            Threads = Pick(parse, Threads, o.Threads),
            RunDirectory = TrainingOptions.RunDirectoryFor(outPath),
        }.Validate();
    }

    /// <summary>The option's value when the command line gives it, else <paramref name="fallback"/> (the
    /// <c>--spec</c> file's).</summary>
    public static T Pick<T>(ParseResult parse, Option<T> option, T fallback) =>
        parse.GetResult(option) is { Implicit: false } ? parse.GetValue(option)! : fallback;
}
