using System.Diagnostics;
using System.Net;
using System.Net.Sockets;

namespace OcrForge.Tests.Tuning;

/// <summary>
/// A throw-away PostgreSQL 15 cluster for the storage tests: initdb in a temp folder (as the postgres user when we
/// are root, since initdb refuses root), started on a free loopback port with its socket in that folder, password
/// authentication over TCP (so a wrong password can be tested), stopped and deleted at the end. fsync is off: the
/// tests need speed, not durability.
/// </summary>
public sealed class PostgresServer : IDisposable
{
    public const string User = "ocrforge", Password = "tune-secret";
    private const string Bin = "/usr/lib/postgresql/15/bin";
    private readonly string _root;
    private readonly string _data;
    private readonly bool _asPostgres = Environment.UserName == "root";

    public PostgresServer()
    {
        if (!File.Exists(Path.Combine(Bin, "initdb")))
            throw new InvalidOperationException($"{Bin}/initdb not found: install Debian's postgresql package (the " +
                $"test build does so as root)");
        _root = Path.Combine(Path.GetTempPath(), $"ocrforge-pg-{Guid.NewGuid():N}");
        _data = Path.Combine(_root, "data");
        Directory.CreateDirectory(_root);
        File.WriteAllText(Path.Combine(_root, "pw"), Password);
        if (_asPostgres) Run("chown", ["-R", "postgres:postgres", _root]);
        Port = FreePort();
        Postgres("initdb", ["-D", _data, "-U", User, $"--pwfile={Path.Combine(_root, "pw")}",
            "--auth-host=scram-sha-256",
            "--auth-local=trust", "-E", "UTF8", "--no-sync"]);
        Postgres("pg_ctl", ["-D", _data, "-l", Path.Combine(_root, "log"), "-w", "-t", "30", "-o",
            $"-p {Port} -k {_root} -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c " +
                $"full_page_writes=off", "start"]);
    }

    public int Port { get; }

    public string Url(string password = Password) => $"postgres://{User}:{password}@127.0.0.1:{Port}/postgres";

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private void Postgres(string tool, string[] args)
    {
        if (_asPostgres) Run("runuser", ["-u", "postgres", "--", Path.Combine(Bin, tool), .. args]);
        else Run(Path.Combine(Bin, tool), args);
    }

    private static void Run(string file, string[] args)
    {
        var start = new ProcessStartInfo(file) { RedirectStandardOutput = true, RedirectStandardError = true,
            UseShellExecute = false };
        foreach (var a in args) start.ArgumentList.Add(a);
        using var p = Process.Start(start)!;
        var stdout = p.StandardOutput.ReadToEndAsync();
        var stderr = p.StandardError.ReadToEndAsync();
        if (!p.WaitForExit(TimeSpan.FromSeconds(60))) { p.Kill(true); throw new TimeoutException($"{file} " +
            $"{string.Join(' ', args)}"); }
        if (p.ExitCode != 0)
            throw new InvalidOperationException($"{file} {string.Join(' ',
                args)} exited {p.ExitCode}: {stdout.Result} {stderr.Result}");
    }

    public void Dispose()
    {
        try
        {
            Postgres("pg_ctl", ["-D", _data, "-m", "immediate", "-w", "stop"]);
        }
        finally
        {
            try { Directory.Delete(_root,
                recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
        }
    }
}

[CollectionDefinition(Name)]
public sealed class PostgresCollection : ICollectionFixture<PostgresServer>
{
    public const string Name = "postgres";
}
