using OcrForge.Data;

namespace OcrForge.Tuning;

/// <summary>
/// What an objective needs besides the trial's parameters: the epoch budget, and for training objectives the data
/// and the fixed parts of the run (any of them can instead be a parameter of the space, which wins).
/// </summary>
public sealed record ObjectiveSettings
{
    public int Epochs { get; init; } = 8;
    /// <summary>Synthetic objective only: wall time per fake epoch, so concurrency can be tested with real
    /// overlap.</summary>
    public TimeSpan EpochDelay { get; init; }
    public string? Data { get; init; }
    public DatasetFormat Format { get; init; } = DatasetFormat.Auto;
    public int Seed { get; init; } = 42;
    /// <summary>Cross-validation folds (<c>--cv</c>): a trial's value is the mean over this many folds of the training
    /// and validation images, with its standard error; 1 = one seeded split.</summary>
    public int Folds { get; init; } = 1;
    /// <summary>Where trial run folders go (checkpoints, logs); deleted after each trial unless kept.</summary>
    public string? RunsDirectory { get; init; }
    /// <summary>Told the files skipped (unreadable, corrupt) each time a training objective reads the data: once per
    /// input size, so the same files can come again.</summary>
    public IProgress<IReadOnlyList<DataProblem>>? Skipped { get; init; }
}
