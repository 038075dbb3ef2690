using OcrForge.Tuning;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>What <c>tune run</c> prints: one line per finished trial, as it finishes.</summary>
public sealed class TrialLines(string metric) : IProgress<Trial>
{
    public void Report(Trial t)
    {
        string value = t.Value?.ToString("G6") ?? "–";
        string error = t.ValueStandardError is { } se ? $" ± {se:G3}" : "";
        string failure = t.Failure is null ? "" : "  " + t.Failure;
        string state = t.State.ToString().ToLowerInvariant(), parameters = TuneOutput.Params(t.Params);
        AnsiConsole.MarkupLineInterpolated(
            $"trial {t.Number,4}  {state,-8}  {metric} {value,-10}{error}  {parameters}{failure}");
    }
}
