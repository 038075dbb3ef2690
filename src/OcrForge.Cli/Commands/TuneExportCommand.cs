using System.CommandLine;
using System.Text.Json.Nodes;
using OcrForge.Inference;
using OcrForge.Tuning;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge tune export</c>: every trial as CSV (one row each) or JSON, to stdout or a file.</summary>
public static class TuneExportCommand
{
    public static Command Create()
    {
        var study = new StudyOptions();
        var csv = new Option<bool>("--csv") { Description = "CSV: one row per trial, a column per parameter and per " +
            "step." };
        var output = SharedOptions.OptionalOut("File to write (default: standard output).");
        var command = new Command("export", "Export a study's trials as CSV or JSON.");
        study.AddTo(command);
        command.Options.Add(csv);
        command.Options.Add(output);
        command.SetAction(parse => Cli.Run(() =>
        {
            bool asCsv = parse.GetValue(csv), asJson = parse.GetValue(study.Json);
            if (asCsv == asJson) throw new OcrForgeException("tune export: give exactly one of --csv or --json");
            using var storage = StudyStorage.Open(parse.GetValue(study.Storage)!, create: false);
            var info = storage.RequireStudy(parse.GetValue(study.Study)!);
            var trials = storage.Trials(info.Id);
            string text = asCsv ? TuneOutput.Csv(trials)
                : JsonOutput.Serialize(new JsonObject
                {
                    ["study"] = info.Name,
                    ["direction"] = info.Direction.ToString().ToLowerInvariant(),
                    ["definition"] = info.Definition.ToJson(),
                    ["trials"] = new JsonArray(trials.Select(t => (JsonNode)TuneOutput.Row(t)).ToArray()),
                }) + "\n";
            if (parse.GetValue(output) is { } path) IO.AtomicFile.WriteAllText(path, text);
            else Console.Out.Write(text);
            return Cli.Ok;
        }));
        return command;
    }
}
