using System.Data.Common;
using Microsoft.Data.Sqlite;
using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>
/// A study database in one SQLite file, shared by worker processes on one machine. WAL lets readers run beside the
/// one writer; claims run in <c>BEGIN IMMEDIATE</c> transactions, which take the write lock up front (a deferred
/// transaction that upgrades to writing can fail without waiting); contention waits in SQLite's busy handler and
/// then in the base class's jittered retries.
/// </summary>
public sealed class SqliteStudyStorage : RelationalStudyStorage
{
    private const int SqliteBusy = 5, SqliteLocked = 6;
    private readonly string _connectionString;

    public SqliteStudyStorage(string path, TimeProvider? clock = null) : base(clock)
    {
        Name = path;
        var full = Path.GetFullPath(path);
        if (Directory.Exists(full))
            throw new OcrForgeException($"--storage {path}: is a folder, expected a database file");
        if (!Directory.Exists(Path.GetDirectoryName(full)))
            throw new OcrForgeException($"--storage {path}: folder {Path.GetDirectoryName(full)} does not exist");
        _connectionString = new SqliteConnectionStringBuilder { DataSource = full, Pooling = true,
            DefaultTimeout = 30 }.ToString();
        try
        {
            // WAL is a property of the file: set once here, kept by every later connection.
            Retrying(c => Exec(c, null, "PRAGMA journal_mode = WAL"));
            InTransaction((c, t) => CreateSchema(c, t));
        }
        catch (SqliteException e)
        {
            throw new OcrForgeException($"--storage {path}: cannot open as a study database " +
                $"({e.Message.Split('\n')[0]})");
        }
        catch (OcrForgeException e)
        {
            // A schema this version does not know (newer, or not ours): named with the file.
            throw new OcrForgeException($"--storage {path}: {e.Message}");
        }
    }

    public override string Name { get; }

    protected override DbConnection Open()
    {
        var connection = new SqliteConnection(_connectionString);
        connection.Open();
        using var pragma = connection.CreateCommand();
        // busy_timeout and synchronous are per connection. NORMAL is durable against process crashes in WAL mode,
        // which is the failure a tuning worker meets (a power cut may lose the last commits, not corrupt the file).
        pragma.CommandText = "PRAGMA busy_timeout = 5000; PRAGMA synchronous = NORMAL; PRAGMA foreign_keys = ON;";
        pragma.ExecuteNonQuery();
        return connection;
    }

    // Microsoft.Data.Sqlite starts a non-deferred transaction with BEGIN IMMEDIATE.
    protected override DbTransaction BeginWrite(DbConnection connection)
        => ((SqliteConnection)connection).BeginTransaction(deferred: false);

    // One writer at a time holds the whole file, so the claim's row choice needs no row locks.
    protected override string SkipLocked => "";

    protected override bool IsTransient(Exception e)
        => e is SqliteException { SqliteErrorCode: SqliteBusy or SqliteLocked };

    private static int CreateSchema(DbConnection c, DbTransaction t)
    {
        Exec(c, t, "CREATE TABLE IF NOT EXISTS ocrforge_schema (version INTEGER NOT NULL)");
        long? version = Scalar<long?>(c, t, "SELECT MAX(version) FROM ocrforge_schema");
        if (version is { } v) return Migrate(c, t, v, "REAL");
        if (Scalar<long>(c, t, "SELECT COUNT(*) FROM sqlite_master WHERE name = 'trials'") > 0)
            throw new OcrForgeException("has a 'trials' table but no ocrforge schema version");
        Exec(c, t, $$"""
            CREATE TABLE studies (
                id INTEGER PRIMARY KEY AUTOINCREMENT, name TEXT NOT NULL UNIQUE, direction TEXT NOT NULL,
                claimed INTEGER NOT NULL DEFAULT 0, next_number INTEGER NOT NULL DEFAULT 0,
                    created_ms INTEGER NOT NULL, {{DefinitionDdl}});
            CREATE TABLE trials (
                id INTEGER PRIMARY KEY AUTOINCREMENT, study_id INTEGER NOT NULL REFERENCES studies(id),
                number INTEGER NOT NULL, state TEXT NOT NULL, params TEXT NOT NULL DEFAULT '{}', value REAL,
                started_ms INTEGER, finished_ms INTEGER, heartbeat_ms INTEGER, worker TEXT, threads INTEGER,
                failure TEXT, retries INTEGER NOT NULL DEFAULT 0, value_se REAL, UNIQUE (study_id, number));
            CREATE INDEX trials_by_state ON trials (study_id, state, number);
            CREATE TABLE trial_values (
                trial_id INTEGER NOT NULL REFERENCES trials(id), step INTEGER NOT NULL, value REAL NOT NULL,
                PRIMARY KEY (trial_id, step));
            """);
        Exec(c, t, "INSERT INTO ocrforge_schema (version) VALUES (@v)", ("v", SchemaVersion));
        return 0;
    }
}
