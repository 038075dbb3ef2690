using System.CommandLine;
using OcrForge.Tuning;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge tune space</c>: prints an objective's default search space, a starting point for
/// <c>--space</c>.</summary>
public static class TuneSpaceCommand
{
    public static Command Create()
    {
        var objective = new Option<string>("--objective")
        {
            Description = "ctc (text lines), classify (characters) or synthetic.",
            DefaultValueFactory = _ => "ctc",
        };
        var preset = new Option<string?>("--preset")
        {
            Description = "Build the space from this preset's model settings (their schema) and the objective's " +
                "training parameters, instead of the default space.",
        };
        // Not a result document: the space file itself, in JSON instead of YAML (docs/cli-json.md).
        var json = SharedOptions.Json("Print the space as a JSON space file instead of YAML.");
        var output = SharedOptions.OptionalOut("File to write (default: standard output).");
        var command = new Command("space",
            "Print the search space tune run uses without --space, to copy and edit.\n" +
            "Example: ocrforge tune space --objective ctc --preset captcha-crnn --out space.yaml");
        command.Options.Add(objective);
        command.Options.Add(preset);
        command.Options.Add(json);
        command.Options.Add(output);
        command.SetAction(parse => Cli.Run(() =>
        {
            string name = parse.GetValue(objective)!;
            string text = parse.GetValue(preset) is { } p
                ? DefaultSpaces.ForPreset(name, p, parse.GetValue(json))
                : parse.GetValue(json) ? DefaultSpaces.Json(name) + "\n" : DefaultSpaces.Text(name);
            if (parse.GetValue(output) is { } path) IO.AtomicFile.WriteAllText(path, text);
            else Console.Out.Write(text);
            return Cli.Ok;
        }));
        return command;
    }
}
