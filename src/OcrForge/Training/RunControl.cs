namespace OcrForge.Training;

/// <summary>What a per-epoch callback tells the trainer.</summary>
public enum EpochDecision { Continue, Stop }

/// <summary>Why a run ended before its last epoch, or that it did not.</summary>
public enum TrainingStop
{
    /// <summary>Every epoch of <see cref="TrainingOptions.Epochs"/> ran.</summary>
    Completed,
    /// <summary><see cref="TrainingOptions.Patience"/> epochs passed without a lower validation loss.</summary>
    NoImprovement,
    /// <summary><see cref="RunControl.AfterEpoch"/> said stop.</summary>
    Callback,
    /// <summary>Cancelled with <see cref="RunControl.KeepOnCancel"/>: the finished epochs are the result.</summary>
    Cancelled,
}

/// <summary>
/// How a caller steers a run while it trains (a tuner pruning a trial, a front end's stop button). A run stopped
/// either way keeps its result: the finished epochs, the best of them and the model with its weights.
/// </summary>
public sealed record RunControl
{
    /// <summary>
    /// Called after every finished epoch, once it is validated, logged and checkpointed, with its metrics;
    /// <see cref="EpochDecision.Stop"/> ends the run there (a later <see cref="TrainingOptions.Resume"/> continues it).
    /// </summary>
    public Func<EpochRecord, EpochDecision>? AfterEpoch { get; init; }

    /// <summary>
    /// True: cancelling ends the run before its next batch and returns the finished epochs (best weights restored,
    /// the unfinished epoch dropped) instead of throwing <see cref="OperationCanceledException"/>. A run cancelled
    /// before its first epoch ends still throws: it has nothing to keep.
    /// </summary>
    public bool KeepOnCancel { get; init; }

    /// <summary>A token for the work after training (held-out metrics, saving): none when the run was cancelled and
    /// kept, since that work is what keeping it asks for.</summary>
    internal static CancellationToken After(TrainingResult result, CancellationToken cancellationToken) =>
        result.Stop == TrainingStop.Cancelled ? CancellationToken.None : cancellationToken;
}
