namespace OcrForge.Tuning;

/// <summary>
/// A snapshot of one trial as stored. Storages return new objects on every read and never change them afterwards.
/// <see cref="Number"/> counts from 0 within a study; <see cref="Id"/> is the storage's key.
/// </summary>
public sealed record Trial
{
    public required long Id { get; init; }
    public required int Number { get; init; }
    public required TrialState State { get; init; }
    public IReadOnlyDictionary<string, object> Params { get; init; } = new Dictionary<string, object>();
    /// <summary>Reported values by step (epoch), ascending.</summary>
    public IReadOnlyDictionary<int, double> Intermediate { get; init; } = new SortedDictionary<int, double>();
    public double? Value { get; init; }
    /// <summary>Standard error of <see cref="Value"/> when it is a mean over cross-validation folds.</summary>
    public double? ValueStandardError { get; init; }
    public DateTimeOffset? Started { get; init; }
    public DateTimeOffset? Finished { get; init; }
    public DateTimeOffset? Heartbeat { get; init; }
    public string? Worker { get; init; }
    public int? Threads { get; init; }
    public string? Failure { get; init; }
    /// <summary>How many times this configuration was re-queued after its worker died.</summary>
    public int Retries { get; init; }

    public TimeSpan? Duration => Started is { } s && Finished is { } f ? f - s : null;

    public bool IsFinished => State is TrialState.Complete or TrialState.Pruned or TrialState.Failed;

    /// <summary>The last reported (step, value), if any.</summary>
    public (int Step, double Value)? Last =>
        Intermediate.Count == 0 ? null : Intermediate.MaxBy(kv => kv.Key) is var kv ? (kv.Key, kv.Value) : null;
}
