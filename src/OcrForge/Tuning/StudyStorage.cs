using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>Opens the storage an <c>--storage</c> value names: a <c>postgres://</c> URL, or else a SQLite file
/// path.</summary>
public static class StudyStorage
{
    public static bool IsPostgres(string spec) =>
        spec.StartsWith("postgres://", StringComparison.Ordinal) || spec.StartsWith("postgresql://",
            StringComparison.Ordinal);

    /// <param name="create">False for commands that only read: a missing SQLite file is then an error, not a new
    /// database.</param>
    public static IStudyStorage Open(string spec, bool create = true, TimeProvider? clock = null)
    {
        if (IsPostgres(spec)) return new PostgresStudyStorage(spec, clock);
        if (!create && !File.Exists(spec)) throw new OcrForgeException($"--storage {spec}: no such study database");
        return new SqliteStudyStorage(spec, clock);
    }

    /// <summary>The named study, or a one-line error listing the ones there are.</summary>
    public static StudyInfo RequireStudy(this IStudyStorage storage, string name) =>
        storage.FindStudy(name) ?? throw new OcrForgeException(
            $"--study {name}: not in {storage.Name} (studies: {string.Join(", ", storage.Studies().Select(s
                => s.Name).DefaultIfEmpty("none"))})");
}
