using System.Data.Common;
using System.Net.Sockets;
using Npgsql;
using OcrForge.Inference;

namespace OcrForge.Tuning;

/// <summary>
/// Studies in PostgreSQL, for workers on several machines. Waiting trials are claimed with
/// <c>SELECT … FOR UPDATE SKIP LOCKED</c> (two claimers never queue on the same row) and the budget with a
/// compare-and-set on the study row. Each storage keeps a small connection pool; the schema is created once, under
/// an advisory lock so that workers starting together do not race, and carries a version.
/// </summary>
public sealed class PostgresStudyStorage : RelationalStudyStorage
{
    // Any fixed number: it names the lock that serialises schema creation across processes.
    private const long SchemaLockKey = 0x0C4F0A6E;
    private readonly NpgsqlDataSource _source;

    public PostgresStudyStorage(string url, TimeProvider? clock = null, int maxPoolSize = 4) : base(clock)
    {
        var builder = ParseUrl(url);
        builder.MaxPoolSize = maxPoolSize;
        builder.Timeout = 5;
        Name = $"postgres://{builder.Username}@{builder.Host}:{builder.Port}/{builder.Database}";
        _source = NpgsqlDataSource.Create(builder);
        try
        {
            InTransaction((c, t) => CreateSchema(c, t));
        }
        catch (Exception e) when (e is NpgsqlException or SocketException or TimeoutException)
        {
            _source.Dispose();
            throw new OcrForgeException($"--storage {Name}: {Describe(e)}");
        }
        catch (OcrForgeException e)
        {
            _source.Dispose();
            throw new OcrForgeException($"--storage {Name}: {e.Message}");
        }
        catch
        {
            _source.Dispose();
            throw;
        }
    }

    public override string Name { get; }

    /// <summary><c>postgres://user:password@host:port/database</c> (also <c>postgresql://</c>); the port defaults to
    /// 5432.</summary>
    public static NpgsqlConnectionStringBuilder ParseUrl(string url)
    {
        if (!Uri.TryCreate(url, UriKind.Absolute, out var uri) || uri.Scheme is not ("postgres" or "postgresql"))
            throw new OcrForgeException($"--storage {Mask(url)}: expected postgres://user:password@host:port/database");
        var user = uri.UserInfo.Split(':', 2);
        string database = Uri.UnescapeDataString(uri.AbsolutePath.TrimStart('/'));
        if (user[0].Length == 0 || database.Length == 0)
            throw new OcrForgeException($"--storage {Mask(url)}: needs a user and a database: " +
                $"postgres://user:password@host:port/database");
        return new NpgsqlConnectionStringBuilder
        {
            Host = uri.Host,
            Port = uri.IsDefaultPort || uri.Port < 0 ? 5432 : uri.Port,
            Username = Uri.UnescapeDataString(user[0]),
            Password = user.Length > 1 ? Uri.UnescapeDataString(user[1]) : null,
            Database = database,
        };
    }

    private static string Mask(string url)
    {
        int at = url.IndexOf('@'), colon = url.IndexOf(':', url.IndexOf("//", StringComparison.Ordinal) + 2);
        return at > 0 && colon > 0 && colon < at ? url[..colon] + ":***" + url[at..] : url;
    }

    private static string Describe(Exception e) => e switch
    {
        PostgresException p => p.MessageText,
        _ when e.InnerException is SocketException s => $"cannot connect ({s.Message})",
        _ when e.InnerException is TimeoutException or SocketException
            => $"cannot connect ({e.InnerException.Message})",
        _ => $"cannot connect ({e.Message.Split('\n')[0]})",
    };

    protected override DbConnection Open() => _source.OpenConnection();

    protected override DbTransaction BeginWrite(DbConnection connection) => connection.BeginTransaction();

    protected override string SkipLocked => " FOR UPDATE SKIP LOCKED";

    protected override string LockRow => " FOR UPDATE";

    // Serialization failures and deadlocks are the server asking for a retry. A unique violation can only come from
    // two workers creating the same study at once: the retry finds it. A refused connection is not retried: an
    // unreachable server should be reported at once, not after a minute of attempts.
    protected override bool IsTransient(Exception e)
        => e is PostgresException { SqlState: "40001" or "40P01" or "23505" };

    private static int CreateSchema(DbConnection c, DbTransaction t)
    {
        Exec(c, t, "SELECT pg_advisory_xact_lock(@k)", ("k", SchemaLockKey));
        Exec(c, t, "CREATE TABLE IF NOT EXISTS ocrforge_schema (version INTEGER NOT NULL)");
        long? version = Scalar<long?>(c, t, "SELECT MAX(version) FROM ocrforge_schema");
        if (version is { } v) return Migrate(c, t, v, "DOUBLE PRECISION");
        Exec(c, t, $$"""
            CREATE TABLE studies (
                id BIGSERIAL PRIMARY KEY, name TEXT NOT NULL UNIQUE, direction TEXT NOT NULL,
                claimed INTEGER NOT NULL DEFAULT 0, next_number INTEGER NOT NULL DEFAULT 0, created_ms BIGINT NOT NULL,
                {{DefinitionDdl}});
            CREATE TABLE trials (
                id BIGSERIAL PRIMARY KEY, study_id BIGINT NOT NULL REFERENCES studies(id),
                number INTEGER NOT NULL, state TEXT NOT NULL, params TEXT NOT NULL DEFAULT '{}', value DOUBLE PRECISION,
                started_ms BIGINT, finished_ms BIGINT, heartbeat_ms BIGINT, worker TEXT, threads INTEGER,
                failure TEXT, retries INTEGER NOT NULL DEFAULT 0, value_se DOUBLE PRECISION, UNIQUE (study_id, number));
            CREATE INDEX trials_by_state ON trials (study_id, state, number);
            CREATE TABLE trial_values (
                trial_id BIGINT NOT NULL REFERENCES trials(id), step INTEGER NOT NULL, value DOUBLE PRECISION NOT NULL,
                PRIMARY KEY (trial_id, step));
            """);
        Exec(c, t, "INSERT INTO ocrforge_schema (version) VALUES (@v)", ("v", SchemaVersion));
        return 0;
    }

    public override void Dispose()
    {
        _source.Dispose();
        base.Dispose();
    }
}
