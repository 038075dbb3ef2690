using OcrForge.Inference;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class SqliteStudyStorageTests : StudyStorageContract, IDisposable
{
    private readonly TempDir _dir = new();

    protected override IStudyStorage Open(TimeProvider? clock = null) => new SqliteStudyStorage(_dir.File("study.db"),
        clock);

    protected override string Dialect => "sqlite";

    protected override (Func<IStudyStorage> Open, Func<string, object?> Scalar) Legacy(string ddl)
    {
        var path = _dir.File($"legacy-{Guid.NewGuid():N}.db");
        Scalar(path, ddl);
        return (() => new SqliteStudyStorage(path), sql => Scalar(path, sql));
    }

    private static object? Scalar(string path, string sql)
    {
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path};Pooling=false");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = sql;
        return cmd.ExecuteScalar();
    }

    [Fact]
    public void A_file_that_is_not_a_database_is_one_line_error_and_left_untouched()
    {
        var path = _dir.File("notes.db");
        File.WriteAllText(path, "these are notes, not a database\n");
        var e = Assert.Throws<OcrForgeException>(() => new SqliteStudyStorage(path));
        Assert.Contains("notes.db", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Equal("these are notes, not a database\n", File.ReadAllText(path));
    }

    [Fact]
    public void The_database_is_in_wal_mode()
    {
        using (var storage = Open()) storage.CreateStudy("s", StudyDirection.Minimize);
        using var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={_dir.File("study.db")}");
        connection.Open();
        using var cmd = connection.CreateCommand();
        cmd.CommandText = "PRAGMA journal_mode";
        Assert.Equal("wal", cmd.ExecuteScalar());
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
