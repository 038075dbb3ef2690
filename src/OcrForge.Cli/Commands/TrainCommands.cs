using System.CommandLine;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Reports;
using OcrForge.Training;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge train …</c>: one sub-command per task, sharing the training options and the progress display.</summary>
public static class TrainCommands
{
    public static Command Create()
    {
        var train = new Command("train", "Train a model from a folder of labelled images.");
        train.Subcommands.Add(TrainCtcCommand.Create());
        train.Subcommands.Add(TrainClassifyCommand.Create());
        return train;
    }
}

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
            Data = spec.Data with { Path = data, Format = Pick(parse, Format, spec.Data.Format) },
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

/// <summary>
/// Renders <see cref="TrainingProgress"/>: a live Spectre bar (loss, accuracy, images/s, ETA) on a terminal, and one
/// summary line per epoch everywhere (so logs of redirected runs stay readable). Writes curves.png after each epoch.
/// </summary>
public sealed class TrainingDisplay(string runDirectory, string title, string accuracyName, bool json = false) : IProgress<TrainingProgress>
{
    // With --json, stdout holds the result document only: epoch lines go to stderr and there is no live bar.
    private readonly IAnsiConsole _lines = json
        ? AnsiConsole.Create(new AnsiConsoleSettings { Out = new AnsiConsoleOutput(Console.Error), Ansi = AnsiSupport.No, ColorSystem = ColorSystemSupport.NoColors })
        : AnsiConsole.Console;

    private ProgressTask? _bar;

    public void Report(TrainingProgress p)
    {
        if (_bar is not null)
        {
            _bar.MaxValue = p.Epochs * (double)p.Batches;
            _bar.Value = (p.Epoch - 1) * (double)p.Batches + p.Batch;
            _bar.Description = $"epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:0.###}  acc {Percent(p.Accuracy)}  {p.ImagesPerSecond:0} img/s  ETA {p.Eta:hh\\:mm\\:ss}";
        }
        if (p.Finished is not { } r) return;
        var extra = string.Join("  ", r.Metrics.Where(m => m.Key != accuracyName).Select(m => $"{m.Key} {m.Value:0.####}"));
        _lines.MarkupLineInterpolated(
            $"epoch {r.Epoch,3}  train loss {r.TrainLoss,8:0.####}  val loss {r.ValidationLoss,8:0.####}  {accuracyName} {Percent(r.ValidationAccuracy),7}  {extra}  lr {r.LearningRate:0.#####}  {r.ImagesPerSecond:0} img/s  {r.Seconds:0.0}s");
        History.Add(r);
        TrainingCurves.Save(Path.Combine(runDirectory, "curves.png"), History, History.MinBy(h => h.ValidationLoss)!.Epoch, title);
    }

    public List<EpochRecord> History { get; } = [];

    /// <summary>Runs <paramref name="train"/> under a live progress bar when the console is interactive.</summary>
    public T Run<T>(Func<T> train)
    {
        try
        {
            return RunWithBar(train);
        }
        catch (OperationCanceledException)
        {
            if (History.Count > 0) _lines.MarkupLineInterpolated($"stopped after epoch {History[^1].Epoch}; add --resume to the same command to continue");
            throw;
        }
    }

    private T RunWithBar<T>(Func<T> train)
    {
        if (json || !AnsiConsole.Profile.Capabilities.Interactive) return train();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .Start(ctx =>
            {
                _bar = ctx.AddTask("starting", maxValue: 1);
                result = train();
            });
        _bar = null;
        return result;
    }

    private static string Percent(double v) => double.IsNaN(v) ? "–" : $"{v:P1}";
}

/// <summary>The shape of <c>train … --json</c> (docs/cli-json.md), written by the shared <see cref="JsonOutput"/>.</summary>
public static class TrainingJson
{
    public static void Write(object document) => JsonOutput.Write(document);

    /// <summary>Every epoch as the log.csv row has it.</summary>
    public static object Epochs(IEnumerable<EpochRecord> history) => history.Select(e => new
    {
        e.Epoch, e.TrainLoss, e.TrainAccuracy, e.ValidationLoss, e.ValidationAccuracy, e.Metrics, e.LearningRate,
        e.Seconds, e.ImagesPerSecond,
    }).ToList();
}

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM (what `kill`, systemd and container runtimes send) cancel the run cleanly (the last
/// finished epoch stays checkpointed; a tuning worker records its running trial as interrupted and re-queues it)
/// instead of killing the process.
/// </summary>
public sealed class CancelOnCtrlC : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly System.Runtime.InteropServices.PosixSignalRegistration _terminate;

    public CancelOnCtrlC()
    {
        Console.CancelKeyPress += OnCancel;
        _terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            _source.Cancel();
        });
    }

    public CancellationToken Token => _source.Token;

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _terminate.Dispose();
        _source.Dispose();
    }
}
