using OcrForge.Reports;
using OcrForge.Training;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>
/// Renders <see cref="TrainingProgress"/>: a live Spectre bar (loss, accuracy, images/s, ETA) on a terminal, and one
/// summary line per epoch everywhere (so logs of redirected runs stay readable). Has the library write curves.png
/// (<see cref="TrainingReports"/>) after each epoch.
/// </summary>
public sealed class TrainingDisplay(string runDirectory, string title, string accuracyName, bool json = false)
    : IProgress<TrainingProgress>
{
    // With --json, stdout holds the result document only: epoch lines go to stderr and there is no live bar.
    private readonly IAnsiConsole _lines = json
        ? AnsiConsole.Create(new AnsiConsoleSettings
        {
            Out = new AnsiConsoleOutput(Console.Error), Ansi = AnsiSupport.No,
            ColorSystem = ColorSystemSupport.NoColors,
        })
        : AnsiConsole.Console;

    private ProgressTask? _bar;

    public void Report(TrainingProgress p)
    {
        if (_bar is not null)
        {
            _bar.MaxValue = p.Epochs * (double)p.Batches;
            _bar.Value = (p.Epoch - 1) * (double)p.Batches + p.Batch;
            _bar.Description = $"epoch {p.Epoch}/{p.Epochs}  loss {p.Loss:0.###}  acc {Percent(p.Accuracy)}  " +
                $"{p.ImagesPerSecond:0} img/s  ETA {p.Eta:hh\\:mm\\:ss}";
        }
        if (p.Finished is not { } r) return;
        var extra = string.Join("  ",
            r.Metrics.Where(m => m.Key != accuracyName).Select(m => $"{m.Key} {m.Value:0.####}"));
        _lines.MarkupLine(Markup.Escape(
            $"epoch {r.Epoch,3}  train loss {r.TrainLoss,8:0.####}  val loss {r.ValidationLoss,8:0.####}  " +
            $"{accuracyName} {Percent(r.ValidationAccuracy),7}  {extra}  lr {r.LearningRate:0.#####}  " +
            $"{r.ImagesPerSecond:0} img/s  {r.Seconds:0.0}s"));
        History.Add(r);
        TrainingReports.WriteCurves(runDirectory, History, title);
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
            if (History.Count > 0)
                _lines.MarkupLineInterpolated(
                    $"stopped after epoch {History[^1].Epoch}; add --resume to the same command to continue");
            throw;
        }
    }

    private T RunWithBar<T>(Func<T> train)
    {
        if (json || !AnsiConsole.Profile.Capabilities.Interactive) return train();
        T result = default!;
        AnsiConsole.Progress()
            .AutoClear(true)
            .Columns(
                new TaskDescriptionColumn { Alignment = Justify.Left }, new ProgressBarColumn(), new PercentageColumn())
            .Start(ctx =>
            {
                _bar = ctx.AddTask("starting", maxValue: 1);
                result = train();
            });
        _bar = null;
        return result;
    }

    /// <summary>The name of the validation accuracy an epoch line shows for a model of <paramref name="task"/> (and
    /// leaves out of its other metrics).</summary>
    public static string AccuracyName(Models.ModelTask task) =>
        task == Models.ModelTask.TextRecognition ? "sequence_accuracy" : "accuracy";

    private static string Percent(double v) => double.IsNaN(v) ? "–" : $"{v:P1}";
}
