using OcrForge.Inference;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

[Collection(PostgresCollection.Name)]
public sealed class PostgresStudyStorageTests(PostgresServer server) : StudyStorageContract
{
    protected override IStudyStorage Open(TimeProvider? clock = null) => new PostgresStudyStorage(server.Url(), clock);

    protected override string Dialect => "postgres";

    // Each legacy schema gets a database of its own on the test cluster: the shared one already has the current schema.
    protected override (Func<IStudyStorage> Open, Func<string, object?> Scalar) Legacy(string ddl)
    {
        string database = $"legacy{Guid.NewGuid():N}";
        Scalar(server.Url(), $"CREATE DATABASE {database}");
        string url = server.Url()[..server.Url().LastIndexOf('/')] + "/" + database;
        Scalar(url, ddl);
        return (() => new PostgresStudyStorage(url), sql => Scalar(url, sql));
    }

    private static object? Scalar(string url, string sql)
    {
        var builder = PostgresStudyStorage.ParseUrl(url);
        builder.Pooling = false;
        using var connection = new Npgsql.NpgsqlConnection(builder.ConnectionString);
        connection.Open();
        using var cmd = new Npgsql.NpgsqlCommand(sql, connection);
        return cmd.ExecuteScalar();
    }

    [Fact]
    public void A_wrong_password_is_one_line_error_naming_the_storage_without_the_password()
    {
        var e = Assert.Throws<OcrForgeException>(() => new PostgresStudyStorage(server.Url("wrong-one")));
        Assert.Contains("password authentication failed", e.Message);
        Assert.Contains($"127.0.0.1:{server.Port}", e.Message);
        Assert.DoesNotContain("wrong-one", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void An_unreachable_server_is_one_line_error()
    {
        int closedPort;
        using (var l = new System.Net.Sockets.TcpListener(System.Net.IPAddress.Loopback,
            0)) { l.Start(); closedPort = ((System.Net.IPEndPoint)l.LocalEndpoint).Port; }
        var e = Assert.Throws<OcrForgeException>(()
            => new PostgresStudyStorage($"postgres://u:p@127.0.0.1:{closedPort}/db"));
        Assert.Contains("cannot connect", e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void The_schema_is_created_once_and_carries_its_version()
    {
        Parallel.For(0, 4, _ => { using var s = Open(); });
        var connectionString = PostgresStudyStorage.ParseUrl(server.Url()).ConnectionString;
        using var connection = new Npgsql.NpgsqlConnection(connectionString);
        connection.Open();
        using var cmd = new Npgsql.NpgsqlCommand("SELECT COUNT(*), MAX(version) FROM ocrforge_schema", connection);
        using var r = cmd.ExecuteReader();
        Assert.True(r.Read());
        Assert.Equal((1L, RelationalStudyStorage.SchemaVersion), (r.GetInt64(0), r.GetInt32(1)));
    }
}
