using System.CommandLine;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Reports;
using OcrForge.Training;
using OcrForge.Training.Classification;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge train classify</c>: a character classifier (CNN), supervised or as a semi-supervised GAN.
/// </summary>
public static class TrainClassifyCommand
{
    /// <summary>The library's recipe (<see cref="CharacterTraining.Recipe"/>); each value applies when its option is
    /// not given.</summary>
    public static readonly TrainingOptions Recipe = CharacterTraining.Recipe;

    public static Command Create()
    {
        var options = new TrainingOptionSet(Recipe, RunTask.Classify);
        var classifier = new ClassifierOptionSet();
        var sgan = new SganOptionSet();
        var preset = PresetOption.Create(ModelTask.Classification, CharacterTrainingRequest.DefaultPreset);
        var command = new Command("classify",
            "Train a character classifier (CNN), optionally semi-supervised with a GAN.");
        command.Options.Add(preset);
        var cv = TrainCrossValidation.CreateOption();
        command.Options.Add(cv);
        options.AddTo(command);
        classifier.AddTo(command);
        sgan.AddTo(command);
        command.SetAction(parse => Cli.Run(() =>
        {
            var given = options.Specification(parse, RunTask.Classify, preset);
            var training = options.Read(parse, given.Training);
            var spec = sgan.Apply(parse, classifier.Apply(parse, given)) with
            {
                Model = given.Model with
                {
                    Preset = TrainingOptionSet.Pick(parse, preset,
                        given.Model.Preset ?? CharacterTrainingRequest.DefaultPreset),
                },
                Training = training,
            };
            return Train(spec.Validate(), parse.GetValue(options.Out)!, parse.GetValue(options.Json),
                parse.GetValue(cv));
        }));
        return command;
    }

    private static int Train(RunSpecification spec, string outPath, bool json, int folds)
    {
        var runDirectory = spec.Training.RunDirectory;
        var display = new TrainingDisplay(runDirectory,
            $"{spec.Model.Preset} on {Path.GetFileName(Path.GetFullPath(spec.Data.Path))}",
            TrainingDisplay.AccuracyName(ModelTask.Classification), json);
        Action<int, IReadOnlyList<GrayImage>>? samples = spec.Classifier?.SemiSupervised is null ? null
            : (epoch, images) => TrainingReports.WriteGanSamples(runDirectory, epoch, images);
        using var cancel = new CancelOnCtrlC();
        var estimate = TrainCrossValidation.Run(spec, folds, json, cancel.Token);
        var log = new ConsoleLines(json);
        var outcome = display.Run(() => Runs.Train(spec, outPath, display, log, samples, cancel.Token,
            TrainingInterruption.Control));
        using var model = outcome.Model;
        Cli.WarnSkipped(outcome.Problems);
        var test = outcome.Test!;
        TrainingReports.WriteConfusion(runDirectory, test, spec.Model.Preset ?? "");
        TrainClassifyOutput.Print(outcome, spec, outPath, json, estimate);
        return TrainingInterruption.Exit(outcome, outPath);
    }
}
