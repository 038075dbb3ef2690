using System.CommandLine;
using System.Text.Json.Nodes;
using OcrForge.Tuning;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge tune status</c>: trials by state, the best so far, and who is running what.</summary>
public static class TuneStatusCommand
{
    public static Command Create()
    {
        var study = new StudyOptions();
        var command = new Command("status", "Show a study's trials by state, its best trial and the running trials.");
        study.AddTo(command);
        command.SetAction(parse => Cli.Run(() =>
        {
            using var storage = StudyStorage.Open(parse.GetValue(study.Storage)!, create: false);
            var info = storage.RequireStudy(parse.GetValue(study.Study)!);
            var trials = storage.Trials(info.Id);
            var summary = TuneOutput.Summary(info, trials);
            var running = trials.Where(t => t.State == TrialState.Running).ToList();
            summary["running"] = new JsonArray(running.Select(t => (JsonNode)TuneOutput.Row(t)).ToArray());
            if (parse.GetValue(study.Json)) { TuneOutput.Json(summary); return Cli.Ok; }
            TuneOutput.SummaryTable(summary);
            foreach (var t in running)
                AnsiConsole.MarkupLineInterpolated(
                    $"running: trial {t.Number} on {t.Worker} ({t.Threads} threads), step {t.Last?.Step
                        ?? 0}, heartbeat {(DateTimeOffset.UtcNow - t.Heartbeat)?.TotalSeconds:0.0} s ago");
            return Cli.Ok;
        }));
        return command;
    }
}
