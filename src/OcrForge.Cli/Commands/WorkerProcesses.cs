using System.Diagnostics;
using OcrForge.Inference;

namespace OcrForge.Cli.Commands;

/// <summary><c>tune run --workers N</c>: the same command as N single-worker processes of this executable.</summary>
public static class WorkerProcesses
{
    /// <summary>Re-invokes this executable as <paramref name="count"/> single workers and waits for all of
    /// them.</summary>
    public static bool Run(int count, int threadsEach, CancellationToken cancellationToken)
    {
        var args = Environment.GetCommandLineArgs();
        var passed = new List<string>();
        for (int i = 1; i < args.Length; i++)
        {
            if (args[i] is "--workers" or "--threads") { i++; continue; }
            if (args[i] is "--json" || args[i].StartsWith("--workers=", StringComparison.Ordinal)
                || args[i].StartsWith("--threads=", StringComparison.Ordinal)) continue;
            passed.Add(args[i]);
        }
        var processes = Enumerable.Range(0, count).Select(index =>
        {
            var start = new ProcessStartInfo(Environment.ProcessPath!) { UseShellExecute = false };
            // Under `dotnet OcrForge.Cli.dll`, the host is the process and the assembly its first argument.
            if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet") start.ArgumentList.Add(args[0]);
            foreach (var a in passed) start.ArgumentList.Add(a);
            var invariant = System.Globalization.CultureInfo.InvariantCulture;
            foreach (var a in new[] { "--workers", "1", "--threads", threadsEach.ToString(invariant), "--child",
                index.ToString(invariant) })
                start.ArgumentList.Add(a);
            return Process.Start(start)!;
        }).ToList();
        // A terminal's Ctrl+C reaches the whole process group, but a SIGTERM sent to this process alone must be
        // passed on, or the workers would keep running without it.
        using (cancellationToken.Register(() =>
        {
            foreach (var p in processes.Where(p => !p.HasExited)) Terminate(p.Id);
        }))
            foreach (var p in processes) p.WaitForExit();
        var failed = processes.Select((p, i) => (p.ExitCode, i)).Where(x
            => x.ExitCode is not (Cli.Ok or Cli.Interrupted)).ToList();
        if (failed.Count > 0)
            throw new OcrForgeException($"worker {failed[0].i} exited with code {failed[0].ExitCode}");
        return cancellationToken.IsCancellationRequested || processes.Any(p => p.ExitCode == Cli.Interrupted);
    }

    private static void Terminate(int pid)
    {
        if (OperatingSystem.IsWindows()) return;
        const int sigterm = 15;
        _ = kill(pid, sigterm);
    }

    [System.Runtime.InteropServices.DllImport("libc", SetLastError = true)]
    private static extern int kill(int pid, int signal);
}
