using System.CommandLine;
using OcrForge.Models;
using OcrForge.Training;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge train ctc</c>: a CRNN text recogniser with CTC loss.</summary>
public static class TrainCtcCommand
{
    /// <summary>The library's recipe (<see cref="CtcTraining.Recipe"/>); each value applies when its option is not
    /// given.</summary>
    public static readonly TrainingOptions Recipe = CtcTraining.Recipe;

    public static Command Create()
    {
        var options = new TrainingOptionSet(Recipe, RunTask.Ctc);
        var preset = PresetOption.Create(ModelTask.TextRecognition, CtcTraining.DefaultPreset);
        var charset = new Option<string?>("--charset")
        {
            Description = "The symbols the model may output, in class order (default: every symbol of the labels, " +
                "sorted); images whose label has another symbol are skipped.",
        };
        var command = new Command("ctc", "Train a CRNN text recogniser (CTC) on images labelled with their text.");
        command.Options.Add(preset);
        command.Options.Add(charset);
        var cv = TrainCrossValidation.CreateOption();
        command.Options.Add(cv);
        options.AddTo(command);
        command.SetAction(parse => Cli.Run(() =>
        {
            var given = options.Specification(parse, RunTask.Ctc, preset);
            var spec = given with
            {
                Data = given.Data with { Charset = TrainingOptionSet.Pick(parse, charset, given.Data.Charset) },
                Model = given.Model with
                {
                    Preset = TrainingOptionSet.Pick(parse, preset, given.Model.Preset ?? CtcTraining.DefaultPreset),
                },
                Training = options.Read(parse, given.Training),
            };
            var outPath = parse.GetValue(options.Out)!;
            bool json = parse.GetValue(options.Json);
            var title = $"{spec.Model.Preset} on {Path.GetFileName(Path.GetFullPath(spec.Data.Path))}";
            var display = new TrainingDisplay(spec.Training.RunDirectory, title,
                TrainingDisplay.AccuracyName(Models.ModelTask.TextRecognition), json);
            using var cancel = new CancelOnCtrlC();
            var estimate = TrainCrossValidation.Run(spec, parse.GetValue(cv), json, cancel.Token);
            var outcome = display.Run(() => Runs.Train(spec, outPath, display,
                cancellationToken: cancel.Token, control: TrainingInterruption.Control));
            using var model = outcome.Model;
            Cli.WarnSkipped(outcome.Problems);
            TrainCtcOutput.Print(outcome, spec, outPath, json, estimate);
            return TrainingInterruption.Exit(outcome, outPath);
        }));
        return command;
    }
}
