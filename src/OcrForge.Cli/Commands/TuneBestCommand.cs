using System.CommandLine;
using System.Text.Json.Nodes;
using OcrForge.Inference;
using OcrForge.Training;
using OcrForge.Tuning;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>
/// <c>ocrforge tune best</c>: the best completed trial and its parameters; given the study's objective and data, also
/// the <c>ocrforge train …</c> command that repeats it, and with <c>--retrain</c> that run, in-process.
/// </summary>
public static class TuneBestCommand
{
    public static Command Create()
    {
        var study = new StudyOptions();
        var objective = new Option<string?>("--objective") { Description = "The study's objective (ctc or classify; " +
            "default: the study's record): print the train command that repeats the best trial." };
        var data = SharedOptions.OptionalData("The study's dataset (default: the study's record).");
        var format = SharedOptions.Format();
        var epochs = new Option<int>("--epochs") { Description = "Epochs of the run (default: the study's per-trial " +
            "budget, which repeats the trial; 8 for a study without one).", DefaultValueFactory = _ => 8 };
        var seed = SharedOptions.Seed("The trials' training seed (default: the study's).");
        var retrain = new Option<bool>("--retrain") { Description = "Train the best configuration now and save it to " +
            "--out." };
        var output = SharedOptions.Out("Model file of the command (and of --retrain).", "best.ocrf");
        var specFile = new Option<string?>("--spec") { Description = "Write the best configuration as a run " +
            "specification file (JSON) that train --spec reads." };
        var command = new Command("best",
            "Print the best completed trial of a study, the train command that repeats it, or retrain it.");
        study.AddTo(command);
        foreach (var o in new Option[] { objective, data, format, epochs, seed, retrain, output, specFile })
            command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            string outPath = parse.GetValue(output)!;
            if (!outPath.EndsWith(IO.ModelFile.Extension, StringComparison.OrdinalIgnoreCase))
                throw new OcrForgeException($"--out {outPath}: model files end in {IO.ModelFile.Extension}");
            if (parse.GetValue(epochs) < 1)
                throw new OcrForgeException($"--epochs {parse.GetValue(epochs)}: expected at least 1");

            using var storage = StudyStorage.Open(parse.GetValue(study.Storage)!, create: false);
            var info = storage.RequireStudy(parse.GetValue(study.Study)!);
            // What is not given is the study's record (a study of an older version has none: then they are needed).
            var recorded = info.Definition;
            string? objectiveName = parse.GetValue(objective)
                ?? (recorded.Objective is "ctc" or "classify" ? recorded.Objective : null);
            string? dataPath = parse.GetValue(data) ?? (objectiveName == recorded.Objective ? recorded.Data : null);
            if ((objectiveName is null) != (dataPath is null))
                throw new OcrForgeException("tune best: --objective and --data go together (the study's own)");
            if (parse.GetValue(retrain) && objectiveName is null)
                throw new OcrForgeException("tune best --retrain: needs the study's --objective and --data");
            if (parse.GetValue(specFile) is not null && objectiveName is null)
                throw new OcrForgeException("tune best --spec: needs the study's --objective and --data");
            var settings = new ObjectiveSettings
            {
                Data = dataPath, Format = parse.GetValue(format),
                Epochs = TrainingOptionSet.Pick(parse, epochs, recorded.Epochs ?? parse.GetValue(epochs)),
                Seed = TrainingOptionSet.Pick(parse, seed, recorded.Seed ?? parse.GetValue(seed)),
            };
            var trainer = objectiveName is null ? null : Objectives.Training(objectiveName, settings);
            var best = TuneOutput.Best(info, storage.Trials(info.Id))
                ?? throw new OcrForgeException($"study {info.Name}: no completed trial yet");
            var run = trainer?.Plan(best.Params, best.Threads, TrainingOptions.RunDirectoryFor(outPath));
            var args = run?.CommandLine(dataPath!, settings.Format, outPath);
            bool json = parse.GetValue(study.Json);
            var row = TuneOutput.Row(best);
            if (args is not null)
            {
                row["command"] = new JsonArray(args.Select(a => (JsonNode)a).ToArray());
                row["command_line"] = TrainingRun.ShellLine(args);
            }
            if (parse.GetValue(specFile) is { } specPath)
            {
                run!.Specification(dataPath!, settings.Format).ForStorage().Save(specPath);
                row["specification"] = specPath;
                if (!json)
                    AnsiConsole.MarkupLineInterpolated(
                        $"run specification: {specPath} (ocrforge train {run.Task} --spec {specPath} --out …)");
            }
            if (!json)
            {
                AnsiConsole.MarkupLineInterpolated(
                    $"trial {best.Number}: value {best.Value:G6}  {TuneOutput.Params(best.Params)}");
                if (args is not null) AnsiConsole.MarkupLineInterpolated($"repeat it: {TrainingRun.ShellLine(args)}");
            }
            if (parse.GetValue(retrain))
            {
                var display = new TrainingDisplay(run!.Options.RunDirectory, $"trial {best.Number} of {info.Name}",
                    TrainingDisplay.AccuracyName(run.Task == "ctc" ? Models.ModelTask.TextRecognition
                        : Models.ModelTask.Classification));
                using var cancel = new CancelOnCtrlC();
                var (model, result) = json ? run.Train(dataPath!, settings.Format, outPath, null, cancel.Token)
                    : display.Run(() => run.Train(dataPath!, settings.Format, outPath, display, cancel.Token));
                using (model)
                {
                    row["retrained"] = new JsonObject
                    {
                        ["out"] = outPath,
                        ["best_epoch"] = result.BestEpoch,
                        ["validation_accuracy"] = result.Best.ValidationAccuracy,
                        ["seconds"] = result.Elapsed.TotalSeconds,
                    };
                    if (!json)
                        AnsiConsole.MarkupLine("[green]saved[/] " + Markup.Escape(
                            $"{outPath}: validation accuracy {result.Best.ValidationAccuracy:P2} at epoch "
                            + $"{result.BestEpoch} (the trial: {best.Value:P2})"));
                }
            }
            if (json) TuneOutput.Json(row);
            return Cli.Ok;
        }));
        return command;
    }
}
