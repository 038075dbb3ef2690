namespace OcrForge.Tuning;

/// <summary>A study as stored: its key, unique name, optimisation direction and what it optimises (empty fields in
/// a study of an older version).</summary>
public sealed record StudyInfo(long Id, string Name, StudyDirection Direction, DateTimeOffset Created)
{
    public StudyDefinition Definition { get; init; } = new();
}
