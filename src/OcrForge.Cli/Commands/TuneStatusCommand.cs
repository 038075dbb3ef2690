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

/// <summary><c>ocrforge tune best</c>: the best completed trial and its parameters.</summary>
public static class TuneBestCommand
{
    public static Command Create()
    {
        var study = new StudyOptions();
        var command = new Command("best", "Print the best completed trial of a study.");
        study.AddTo(command);
        command.SetAction(parse => Cli.Run(() =>
        {
            using var storage = StudyStorage.Open(parse.GetValue(study.Storage)!, create: false);
            var info = storage.RequireStudy(parse.GetValue(study.Study)!);
            var best = TuneOutput.Best(info, storage.Trials(info.Id))
                ?? throw new Inference.OcrForgeException($"study {info.Name}: no completed trial yet");
            if (parse.GetValue(study.Json)) TuneOutput.Json(TuneOutput.Row(best));
            else
                AnsiConsole.MarkupLineInterpolated(
                    $"trial {best.Number}: value {best.Value:G6}  {TuneOutput.Params(best.Params)}");
            return Cli.Ok;
        }));
        return command;
    }
}
