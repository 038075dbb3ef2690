namespace OcrForge.Tuning;

/// <summary>
/// Who claims a trial and on what terms.
/// <paramref name="Budget"/>: the study-wide number of trials that may be claimed in total (<c>--trials</c>); a trial
/// re-queued after its worker died gives its claim back, so the budget counts each configuration once.
/// <paramref name="HeartbeatTimeout"/>: a running trial without a heartbeat for this long is failed;
/// <paramref name="MaxRetries"/>: how many times such a trial's configuration is re-queued.
/// </summary>
public sealed record ClaimRequest(string Worker, int Threads, int Budget, TimeSpan HeartbeatTimeout,
    int MaxRetries = 2);
