namespace OcrForge.Tuning;

/// <summary>
/// Where studies and trials live, shared by every worker of a study (threads and processes alike).
/// Rules:
/// <list type="bullet">
/// <item>Thread-safe and safe across processes; each call is atomic on its own.</item>
/// <item>Returned objects are snapshots: new on every read, never changed afterwards.</item>
/// <item><see cref="Claim"/> is atomic against the budget: however many workers claim at once, at most
/// <see cref="ClaimRequest.Budget"/> claims are granted in the whole study (re-queued trials give theirs back), and a
/// waiting trial goes to exactly one worker. Before claiming, it fails running trials whose heartbeat is older than
/// the request's timeout and re-queues their parameters as a new waiting trial while retries remain.</item>
/// <item>Writes to a trial (<see cref="SetParams"/>, <see cref="Report"/>, <see cref="Heartbeat"/>,
/// <see cref="Finish"/>, <see cref="Abandon"/>) are compare-and-set on its running state: they return false and
/// change nothing once the trial has been failed by someone else (e.g. its heartbeat expired).</item>
/// <item>Bad connection details or a damaged database throw <see cref="Inference.OcrForgeException"/> with one line
/// naming the storage, before anything is written.</item>
/// </list>
/// </summary>
public interface IStudyStorage : IDisposable
{
    /// <summary>The storage as shown to users (passwords masked).</summary>
    string Name { get; }

    /// <summary>Opens the study, creating it if absent with <paramref name="definition"/>. An existing study must have
    /// the same direction, and a definition given must agree with the recorded one on objective, data and space
    /// (<see cref="StudyDefinition.Difference"/>; else a one-line error naming the difference, nothing written); the
    /// recorded definition's missing fields are filled in from it.</summary>
    StudyInfo CreateStudy(string name, StudyDirection direction, StudyDefinition? definition = null);

    StudyInfo? FindStudy(string name);

    IReadOnlyList<StudyInfo> Studies();

    /// <summary>Adds a waiting trial with hand-picked values (the sampler fills in the rest when it is
    /// claimed).</summary>
    Trial Enqueue(long studyId, IReadOnlyDictionary<string, object> values);

    /// <summary>Claims a waiting trial or a new one, running under <paramref name="request"/>'s worker; null when the
    /// budget is spent.</summary>
    Trial? Claim(long studyId, ClaimRequest request);

    bool SetParams(long trialId, IReadOnlyDictionary<string, object> values);

    /// <summary>Records the value at a step (epoch); reporting a step again replaces its value.</summary>
    bool Report(long trialId, int step, double value);

    bool Heartbeat(long trialId);

    /// <summary>Ends a running trial as complete, pruned or failed (with a reason); a cross-validated value comes with
    /// its standard error.</summary>
    bool Finish(long trialId, TrialState state, double? value, string? failure = null, double? standardError = null);

    /// <summary>Fails a running trial that its worker gives up (Ctrl+C) and re-queues its parameters, claim given
    /// back.</summary>
    bool Abandon(long trialId, string reason);

    IReadOnlyList<Trial> Trials(long studyId);
}
