using System.CommandLine;
using System.Text.Json.Nodes;
using OcrForge.Tuning;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge tune enqueue</c>: a hand-picked configuration that the next free worker runs first.</summary>
public static class TuneEnqueueCommand
{
    public static Command Create()
    {
        var study = new StudyOptions();
        var space = new Option<string?>("--space") { Description = "Search space file the values are checked against " +
            "(default: the study's, else the objective's own)." };
        var objective = new Option<string?>("--objective") { Description = "Objective (required for a new study: it " +
            "sets the direction; default: the study's)." };
        var values = new Argument<string[]>("name=value") { Description = "Parameter values; the sampler fills in " +
            "the others.", Arity = ArgumentArity.OneOrMore };
        var command = new Command("enqueue",
            "Add a trial with hand-picked parameter values; workers claim it before sampling new ones.");
        study.AddTo(command);
        command.Options.Add(space);
        command.Options.Add(objective);
        command.Arguments.Add(values);
        command.SetAction(parse => Cli.Run(() =>
        {
            if (parse.GetValue(objective) is { } given) Objectives.Require(given);
            // A space file is read before the storage is touched: a bad one writes nothing.
            var spaceFile = parse.GetValue(space) is { } spacePath ? SearchSpaceFile.Load(spacePath) : null;
            using var storage = StudyStorage.Open(parse.GetValue(study.Storage)!);
            string studyName = parse.GetValue(study.Study)!;
            var existing = storage.FindStudy(studyName);
            // A study is created here with its objective's direction; guessing would make `tune run --objective ctc`
            // refuse the study later ("exists to minimize").
            if (existing is null && parse.GetValue(objective) is null)
                throw new Inference.OcrForgeException($"study {studyName}: does not exist yet; give --objective "
                    + $"({string.Join(", ", Objectives.Names)}) to create it");
            var (objectiveName, dataPath, searchSpace) = StudyDefinition.Resolve(existing, parse.GetValue(objective),
                null, spaceFile);
            var parsed = ParameterValues.Parse(searchSpace, parse.GetValue(values)!);
            var info = storage.CreateStudy(studyName, Objectives.Direction(objectiveName),
                StudyDefinition.Create(objectiveName, dataPath, searchSpace));
            var trial = storage.Enqueue(info.Id, parsed);
            if (parse.GetValue(study.Json)) TuneOutput.Json(new JsonObject { ["study"] = info.Name,
                ["trial"] = TuneOutput.Row(trial) });
            else
                AnsiConsole.MarkupLineInterpolated(
                    $"enqueued trial {trial.Number} in {info.Name}: {TuneOutput.Params(trial.Params)}");
            return Cli.Ok;
        }));
        return command;
    }
}
