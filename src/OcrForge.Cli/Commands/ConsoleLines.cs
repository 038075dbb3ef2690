using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>Plain status lines, written as they come (Progress&lt;T&gt; would post them to the thread pool and
/// reorder them); on stderr with --json.</summary>
public sealed class ConsoleLines(bool toStderr) : IProgress<string>
{
    public void Report(string value)
    {
        if (toStderr) Console.Error.WriteLine(value);
        else AnsiConsole.WriteLine(value);
    }
}
