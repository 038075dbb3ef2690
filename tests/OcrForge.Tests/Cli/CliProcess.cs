using System.Diagnostics;

namespace OcrForge.Tests.Cli;

/// <summary>Runs the built `ocrforge` binary, so exit codes and stderr are exactly what a user sees.</summary>
public static class CliProcess
{
    public static (int Code, string Stdout, string Stderr) Run(params string[] args) => Run(TimeSpan.FromMinutes(1), args);

    public static (int Code, string Stdout, string Stderr) Run(TimeSpan timeout, params string[] args) =>
        RunWith(new Dictionary<string, string?>(), timeout, args);

    /// <summary>As <see cref="Run(TimeSpan, string[])"/>, with environment variables set (a value) or removed (null).</summary>
    public static (int Code, string Stdout, string Stderr) RunWith(IReadOnlyDictionary<string, string?> environment,
        TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo("dotnet") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
        start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "OcrForge.Cli.dll"));
        foreach (var a in args) start.ArgumentList.Add(a);
        // A wide, colourless console so that table rows are not wrapped or styled.
        start.Environment["COLUMNS"] = "200";
        start.Environment["NO_COLOR"] = "1";
        start.Environment.Remove("OCRFORGE_DEBUG");
        foreach (var (name, value) in environment)
            if (value is null) start.Environment.Remove(name); else start.Environment[name] = value;
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout)) { process.Kill(entireProcessTree: true); throw new TimeoutException($"ocrforge {string.Join(' ', args)} took over {timeout.TotalSeconds:0} s"); }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }
}
