namespace OcrForge.Training;

/// <summary>One finished epoch, as logged to CSV and TensorBoard and plotted.</summary>
public sealed record EpochRecord(
    int Epoch,
    double TrainLoss,
    double TrainAccuracy,
    double ValidationLoss,
    double ValidationAccuracy,
    IReadOnlyDictionary<string, double> Metrics,
    double LearningRate,
    double Seconds,
    double ImagesPerSecond);

/// <summary>
/// Reported while training: after every batch (<see cref="Finished"/> null) and after every epoch (with its record).
/// Epochs and batches count from 1. Loss and accuracy are running means over the epoch so far.
/// </summary>
public sealed record TrainingProgress(
    int Epoch,
    int Epochs,
    int Batch,
    int Batches,
    double Loss,
    double Accuracy,
    double ImagesPerSecond,
    TimeSpan Eta,
    EpochRecord? Finished = null);

/// <summary>How a run ended.</summary>
public sealed record TrainingResult(
    IReadOnlyList<EpochRecord> History,
    int BestEpoch,
    bool StoppedEarly,
    TimeSpan Elapsed,
    int ResumedFromEpoch)
{
    public EpochRecord Best => History.First(h => h.Epoch == BestEpoch);
    /// <summary>Why the run ended (<see cref="StoppedEarly"/> says only that it did before the last epoch).</summary>
    public TrainingStop Stop { get; init; }
    /// <summary>The runs abandoned on the all-blank plateau before this one (<see
    /// cref="TrainingOptions.PlateauRestarts"/>), first to last.</summary>
    public IReadOnlyList<PlateauRestart> Restarts { get; init; } = [];
}

/// <summary>A run started from <paramref name="Seed"/> and abandoned at <paramref name="Epoch"/> with the validation
/// character accuracy <paramref name="CharacterAccuracy"/>.</summary>
public sealed record PlateauRestart(int Seed, int Epoch, double CharacterAccuracy);
