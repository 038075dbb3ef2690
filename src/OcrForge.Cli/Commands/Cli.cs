using OcrForge.Inference;

namespace OcrForge.Cli.Commands;

/// <summary>Exit codes and the one place that turns exceptions into one-line errors.</summary>
public static class Cli
{
    public const int Ok = 0;
    public const int Failure = 1;
    public const int BadInput = 2;
    public const int Interrupted = 130;

    /// <summary>The console width when output goes to a file or a pipe and COLUMNS does not say.</summary>
    public const int RedirectedWidth = 160;

    /// <summary>
    /// Runs a command body. A user error (bad file, bad option) prints one line naming the problem, exit 2; an
    /// unexpected failure prints one line too, exit 1. Set OCRFORGE_DEBUG=1 to see the stack trace.
    /// </summary>
    public static int Run(Func<int> body)
    {
        try
        {
            return body();
        }
        catch (OcrForgeException e)
        {
            Error(e.Message);
            return BadInput;
        }
        catch (OperationCanceledException)
        {
            Error("interrupted");
            return Interrupted;
        }
        catch (Exception e) when (Environment.GetEnvironmentVariable("OCRFORGE_DEBUG") != "1")
        {
            Error($"{e.GetType().Name}: {FirstLine(e.Message)}");
            return Failure;
        }
    }

    /// <summary>
    /// Refuses an option the user typed that does not apply to the model at hand, instead of ignoring it:
    /// one line naming the option, the model file and what the option is for.
    /// </summary>
    public static void RefuseIfGiven(System.CommandLine.ParseResult parse, System.CommandLine.Option option,
        bool applies, string modelPath, string appliesTo)
    {
        if (!applies && parse.GetResult(option) is { Implicit: false })
            throw new OcrForgeException($"{option.Name}: applies to {appliesTo} only, and {modelPath} is not one");
    }

    public static void Error(string message) =>
        Console.Error.WriteLine($"error: {FirstLine(message)}");

    /// <summary>
    /// How many skipped files every command names before it only counts the rest: one rule everywhere.
    /// </summary>
    public const int SkippedShown = 10;

    /// <summary>
    /// The warning lines for skipped files: the first <see cref="SkippedShown"/> by name, then a count.
    /// </summary>
    public static IEnumerable<string> SkippedLines<T>(IReadOnlyCollection<T> problems, string? hint = null)
    {
        foreach (var problem in problems.Take(SkippedShown)) yield return problem?.ToString() ?? "";
        if (problems.Count > SkippedShown)
            yield return $"… and {problems.Count - SkippedShown} more skipped{(hint is null ? "" : $" ({hint})")}";
    }

    public static void WarnSkipped<T>(IReadOnlyCollection<T> problems, string? hint = null)
    {
        foreach (var line in SkippedLines(problems, hint)) Warn(line);
    }

    /// <summary>Warnings go to stderr as plain text, so piped stdout (JSON, predictions) stays clean.</summary>
    public static void Warn(string message) =>
        Console.Error.WriteLine($"warning: {FirstLine(message)}");

    private static string FirstLine(string s)
    {
        int nl = s.IndexOfAny(['\r', '\n']);
        return nl < 0 ? s : s[..nl];
    }
}
