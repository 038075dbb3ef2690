namespace OcrForge.Tuning;

/// <summary>
/// How a worker runs a study. <see cref="Budget"/> is the study-wide trial count (<c>--trials</c>);
/// <see cref="Timeout"/> stops claiming new trials after that long (the running one finishes). The heartbeat is sent
/// every <see cref="HeartbeatInterval"/>; a trial silent for <see cref="HeartbeatTimeout"/> counts as dead.
/// </summary>
public sealed record RunnerOptions
{
    public required string Worker { get; init; }
    public int Threads { get; init; } = 1;
    public required int Budget { get; init; }
    public TimeSpan? Timeout { get; init; }
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(5);
    public TimeSpan HeartbeatTimeout { get; init; } = TimeSpan.FromSeconds(30);
    public int MaxRetries { get; init; } = 2;

    /// <summary>A worker name unique across machines, processes and threads.</summary>
    public static string WorkerName(int index = 0) => $"{Environment.MachineName}:{Environment.ProcessId}:{index}";
}
