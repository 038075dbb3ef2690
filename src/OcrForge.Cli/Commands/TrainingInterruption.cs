using OcrForge.Training;

namespace OcrForge.Cli.Commands;

/// <summary>
/// Ctrl+C or SIGTERM during <c>train</c> keeps what was trained: the finished epochs are the result, the best of
/// them is saved like any run's, and the exit code says the run was interrupted.
/// </summary>
public static class TrainingInterruption
{
    public static RunControl Control { get; } = new() { KeepOnCancel = true };

    /// <summary>The exit code: <see cref="Cli.Interrupted"/> (with one line on stderr) when the run was cut short by
    /// a signal, <see cref="Cli.Ok"/> otherwise.</summary>
    public static int Exit(RunResult outcome, string outPath)
    {
        if (outcome.Training.Stop != TrainingStop.Cancelled) return Cli.Ok;
        Console.Error.WriteLine($"interrupted after {outcome.Training.History.Count} finished epochs: the best of " +
            $"them (epoch {outcome.Training.BestEpoch}) is saved in {outPath}");
        return Cli.Interrupted;
    }
}
