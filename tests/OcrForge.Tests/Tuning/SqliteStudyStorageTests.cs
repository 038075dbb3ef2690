using OcrForge.Inference;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class SqliteStudyStorageTests : StudyStorageContract, IDisposable
{
    private readonly TempDir _dir = new();

    protected override IStudyStorage Open(TimeProvider? clock = null) => new SqliteStudyStorage(_dir.File("study.db"),
        clock);

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
    public void A_version_1_database_is_migrated_in_place_and_keeps_its_trials()
    {
        // Given a study database as the first schema wrote it, with one finished trial
        var path = _dir.File("v1.db");
        using (var connection = new Microsoft.Data.Sqlite.SqliteConnection($"Data Source={path}"))
        {
            connection.Open();
            using var cmd = connection.CreateCommand();
            cmd.CommandText = """
                CREATE TABLE ocrforge_schema (version INTEGER NOT NULL);
                INSERT INTO ocrforge_schema (version) VALUES (1);
                CREATE TABLE studies (id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, direction TEXT NOT NULL,
                    claimed INTEGER NOT NULL DEFAULT 0, next_number INTEGER NOT NULL DEFAULT 0, created_ms INTEGER NOT NULL);
                CREATE TABLE trials (id INTEGER PRIMARY KEY AUTOINCREMENT, study_id INTEGER NOT NULL REFERENCES studies(id),
                    number INTEGER NOT NULL, state TEXT NOT NULL, params TEXT NOT NULL DEFAULT '{}', value REAL,
                    started_ms INTEGER, finished_ms INTEGER, heartbeat_ms INTEGER, worker TEXT, threads INTEGER,
                    failure TEXT, retries INTEGER NOT NULL DEFAULT 0, UNIQUE (study_id, number));
                CREATE INDEX trials_by_state ON trials (study_id, state, number);
                CREATE TABLE trial_values (trial_id INTEGER NOT NULL REFERENCES trials(id), step INTEGER NOT NULL,
                    value REAL NOT NULL, PRIMARY KEY (trial_id, step));
                INSERT INTO studies (name, direction, claimed, next_number, created_ms) VALUES ('old', 'minimize', 1, 1, 0);
                INSERT INTO trials (study_id, number, state, params, value, threads) VALUES (1, 0, 'complete', '{"x":1.5}', 0.5, 2);
                """;
            cmd.ExecuteNonQuery();
        }

        // When this version opens it
        using var storage = new SqliteStudyStorage(path);

        // Then the old trial reads as before, without a standard error, and new ones store theirs
        var study = storage.FindStudy("old")!;
        var old = Assert.Single(storage.Trials(study.Id));
        Assert.Equal((0.5, (double?)null, 2), (old.Value, old.ValueStandardError, old.Threads));
        var next = storage.Claim(study.Id, new ClaimRequest("w", 1, 2, TimeSpan.FromMinutes(1), 0))!;
        Assert.True(storage.Finish(next.Id, TrialState.Complete, 0.4, standardError: 0.1));
        Assert.Equal(0.1, storage.Trials(study.Id).Single(t => t.Id == next.Id).ValueStandardError);
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
