namespace OcrForge.Tuning;

/// <summary>A study as stored: its key, unique name and optimisation direction.</summary>
public sealed record StudyInfo(long Id, string Name, StudyDirection Direction, DateTimeOffset Created);
