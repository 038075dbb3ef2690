namespace OcrForge.Cli.Commands;

/// <summary>
/// Ctrl+C (SIGINT) and SIGTERM (what `kill`, systemd and container runtimes send) cancel the run cleanly (the last
/// finished epoch stays checkpointed; a tuning worker records its running trial as interrupted and re-queues it)
/// instead of killing the process.
/// </summary>
public sealed class CancelOnCtrlC : IDisposable
{
    private readonly CancellationTokenSource _source = new();
    private readonly System.Runtime.InteropServices.PosixSignalRegistration _terminate;

    public CancelOnCtrlC()
    {
        Console.CancelKeyPress += OnCancel;
        _terminate = System.Runtime.InteropServices.PosixSignalRegistration.Create(
            System.Runtime.InteropServices.PosixSignal.SIGTERM, context =>
        {
            context.Cancel = true;
            _source.Cancel();
        });
    }

    public CancellationToken Token => _source.Token;

    private void OnCancel(object? sender, ConsoleCancelEventArgs e)
    {
        e.Cancel = true;
        _source.Cancel();
    }

    public void Dispose()
    {
        Console.CancelKeyPress -= OnCancel;
        _terminate.Dispose();
        _source.Dispose();
    }
}
