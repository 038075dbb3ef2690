using OcrForge.Training;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>What <c>train ctc</c> prints: its JSON document (docs/cli-json.md) or two summary lines.</summary>
public static class TrainCtcOutput
{
    public static void Print(RunResult outcome, RunSpecification spec, string outPath, bool json,
        CrossValidationResult? estimate)
    {
        var r = outcome.Training;
        var v = outcome.Text!;
        long parameters = outcome.Model.Module.ParameterCount();
        string runDirectory = spec.Training.RunDirectory;
        if (json)
        {
            TrainingJson.Write("text_recognition", outcome, spec, outPath, estimate, "validation", new
            {
                sequence_accuracy = v.SequenceAccuracy, character_accuracy = v.CharacterAccuracy, cer = v.Cer,
            });
            return;
        }
        if (r.ResumedFromEpoch > 0) AnsiConsole.MarkupLineInterpolated($"resumed after epoch {r.ResumedFromEpoch}");
        foreach (var restart in r.Restarts)
            AnsiConsole.MarkupLine(Markup.Escape($"restarted: the run from seed {restart.Seed} was still on the " +
                $"all-blank plateau at epoch {restart.Epoch} (validation character accuracy " +
                $"{restart.CharacterAccuracy:P1})"));
        AnsiConsole.MarkupLine("[green]saved[/] " + Markup.Escape(
            $"{outPath}: best epoch {r.BestEpoch} of {r.History.Count}{(r.StoppedEarly ? " (early stop)" : "")}, " +
            $"{outcome.TrainCount} train / {outcome.ValidationCount} validation images, {parameters:N0} parameters, " +
            $"{r.Elapsed.TotalSeconds:0}s"));
        AnsiConsole.MarkupLine(Markup.Escape(
            $"validation: sequence accuracy {v.SequenceAccuracy:P2}, character accuracy {v.CharacterAccuracy:P2}, " +
            $"CER {v.Cer:0.####}; logs in {runDirectory}"));
    }
}
