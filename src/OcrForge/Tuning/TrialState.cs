namespace OcrForge.Tuning;

/// <summary>
/// Waiting (enqueued or re-queued, not claimed yet) → Running → Complete, Pruned or Failed. The names are stored in
/// lower case in the database.
/// </summary>
public enum TrialState { Waiting, Running, Complete, Pruned, Failed }
