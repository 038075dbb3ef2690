using System.CommandLine;
using OcrForge.Models;
using OcrForge.Training;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge train ctc</c>: a CRNN text recogniser with CTC loss.</summary>
public static class TrainCtcCommand
{
    /// <summary>The library's recipe (<see cref="CtcTraining.Recipe"/>); each value applies when its option is not given.</summary>
    public static readonly TrainingOptions Recipe = CtcTraining.Recipe;

    public static Command Create()
    {
        var options = new TrainingOptionSet(Recipe);
        var preset = new Option<string>("--preset")
        {
            Description = $"Model preset: {string.Join(", ", ModelRegistry.All.Where(p => p.Task == ModelTask.TextRecognition).Select(p => p.Name))}.",
            DefaultValueFactory = _ => CtcTraining.DefaultPreset,
        };
        var charset = new Option<string?>("--charset")
        {
            Description = "The symbols the model may output, in class order (default: every symbol of the labels, sorted); images whose label has another symbol are skipped.",
        };
        var command = new Command("ctc", "Train a CRNN text recogniser (CTC) on images labelled with their text.");
        command.Options.Add(preset);
        command.Options.Add(charset);
        var cv = TrainCrossValidation.CreateOption();
        command.Options.Add(cv);
        options.AddTo(command);
        command.SetAction(parse => Cli.Run(() =>
        {
            var given = options.Specification(parse, RunTask.Ctc);
            var training = options.Read(parse, given.Training);
            var spec = given with
            {
                Data = given.Data with { Charset = TrainingOptionSet.Pick(parse, charset, given.Data.Charset) },
                Model = given.Model with { Preset = TrainingOptionSet.Pick(parse, preset, given.Model.Preset ?? CtcTraining.DefaultPreset) },
                Training = training,
            };
            var outPath = parse.GetValue(options.Out)!;
            bool json = parse.GetValue(options.Json);
            var display = new TrainingDisplay(training.RunDirectory, $"{spec.Model.Preset} on {Path.GetFileName(Path.GetFullPath(spec.Data.Path))}", "sequence_accuracy", json);
            using var cancel = new CancelOnCtrlC();
            var estimate = TrainCrossValidation.Run(spec, parse.GetValue(cv), json, cancel.Token);
            var outcome = display.Run(() => Runs.Train(spec, outPath, display, cancellationToken: cancel.Token));
            using var model = outcome.Model;
            Cli.WarnSkipped(outcome.Problems);
            var r = outcome.Training;
            var v = outcome.Text!;
            if (json)
            {
                TrainingJson.Write(new
                {
                    task = "text_recognition", model = outPath, preset = spec.Model.Preset, parameters = model.Module.ParameterCount(),
                    best_epoch = r.BestEpoch, epochs_run = r.History.Count, stopped_early = r.StoppedEarly, resumed_from_epoch = r.ResumedFromEpoch,
                    train_images = outcome.TrainCount, validation_images = outcome.ValidationCount, seconds = r.Elapsed.TotalSeconds,
                    validation = new { sequence_accuracy = v.SequenceAccuracy, character_accuracy = v.CharacterAccuracy, cer = v.Cer },
                    skipped = outcome.Problems.Count, run_directory = training.RunDirectory, epochs = TrainingJson.Epochs(r.History),
                    cross_validation = TrainCrossValidation.Json(estimate),
                });
                return Cli.Ok;
            }
            if (r.ResumedFromEpoch > 0) AnsiConsole.MarkupLineInterpolated($"resumed after epoch {r.ResumedFromEpoch}");
            AnsiConsole.MarkupLineInterpolated(
                $"[green]saved[/] {outPath}: best epoch {r.BestEpoch} of {r.History.Count}{(r.StoppedEarly ? " (early stop)" : "")}, {outcome.TrainCount} train / {outcome.ValidationCount} validation images, {model.Module.ParameterCount():N0} parameters, {r.Elapsed.TotalSeconds:0}s");
            AnsiConsole.MarkupLineInterpolated(
                $"validation: sequence accuracy {v.SequenceAccuracy:P2}, character accuracy {v.CharacterAccuracy:P2}, CER {v.Cer:0.####}; logs in {training.RunDirectory}");
            return Cli.Ok;
        }));
        return command;
    }
}
