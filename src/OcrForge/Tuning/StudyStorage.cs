namespace OcrForge.Tuning;

/// <summary>Opens the storage an <c>--storage</c> value names: a <c>postgres://</c> URL, or else a SQLite file path.</summary>
public static class StudyStorage
{
    public static IStudyStorage Open(string spec, TimeProvider? clock = null) =>
        spec.StartsWith("postgres://", StringComparison.Ordinal) || spec.StartsWith("postgresql://", StringComparison.Ordinal)
            ? new PostgresStudyStorage(spec, clock)
            : new SqliteStudyStorage(spec, clock);
}
