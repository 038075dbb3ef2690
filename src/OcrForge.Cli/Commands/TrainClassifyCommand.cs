using System.CommandLine;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using OcrForge.Models;
using OcrForge.Reports;
using OcrForge.Training;
using OcrForge.Training.Classification;
using OcrForge.Training.SemiSupervised;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge train classify</c>: a character classifier (CNN), supervised or as a semi-supervised GAN.</summary>
public static class TrainClassifyCommand
{
    /// <summary>The library's recipe (<see cref="CharacterTraining.Recipe"/>); each value applies when its option is not given.</summary>
    public static readonly TrainingOptions Recipe = CharacterTraining.Recipe;

    public static Command Create()
    {
        var options = new TrainingOptionSet(Recipe);
        var defaults = new CharacterTrainingRequest { Data = "", OutPath = "", Options = Recipe };
        var preset = new Option<string>("--preset")
        {
            Description = $"Model preset: {string.Join(", ", ModelRegistry.All.Where(p => p.Task == ModelTask.Classification).Select(p => p.Name))}.",
            DefaultValueFactory = _ => CharacterTrainingRequest.DefaultPreset,
        };
        var test = new Option<double>("--test-fraction") { Description = "Share of the images held out for the final test.", DefaultValueFactory = _ => defaults.TestFraction };
        var balanced = new Option<bool>("--balanced") { Description = "Draw every class equally often." };
        var classWeights = new Option<bool>("--class-weights") { Description = "Weight the loss by inverse class frequency." };
        var smoothing = new Option<double>("--label-smoothing") { Description = "Share of the target probability spread over the other classes.", DefaultValueFactory = _ => defaults.Recipe.LabelSmoothing };
        var resize = new Option<ResizeMode>("--resize") { Description = "pad (keep the aspect, border colour) or stretch.", DefaultValueFactory = _ => defaults.Resize };
        var autoContrast = new Option<bool>("--auto-contrast") { Description = "Flip dark backgrounds and stretch contrast per image.", DefaultValueFactory = _ => defaults.AutoContrast };
        var semi = new Option<bool>("--semi-supervised") { Description = "Train a semi-supervised GAN (Salimans et al. 2016); the saved classifier is its discriminator." };
        var labeledFraction = new Option<double>("--labeled-fraction") { Description = "Use the labels of this fraction of the training split only.", DefaultValueFactory = _ => 1.0 };
        var unlabeled = new Option<string?>("--unlabeled") { Description = "Extra unlabelled images for --semi-supervised." };
        var sganDefaults = new SganOptions();
        var unsupervisedWeight = new Option<double>("--unsupervised-weight") { Description = "--semi-supervised: weight of the real/fake loss next to the cross-entropy.", DefaultValueFactory = _ => sganDefaults.UnsupervisedWeight };
        var entropyWeight = new Option<double>("--entropy-weight") { Description = "--semi-supervised: weight of the class entropy on unlabelled images (Dai et al. 2017).", DefaultValueFactory = _ => sganDefaults.EntropyWeight };
        var generatorLr = new Option<double>("--generator-lr") { Description = "--semi-supervised: the generator's Adam learning rate.", DefaultValueFactory = _ => sganDefaults.GeneratorLearningRate };
        var consistencyWeight = new Option<double>("--consistency-weight") { Description = "--semi-supervised: weight of the pseudo-label consistency on unlabelled images (0 = off).", DefaultValueFactory = _ => sganDefaults.ConsistencyWeight };
        var confidenceThreshold = new Option<double>("--confidence-threshold") { Description = "--semi-supervised: confidence an unlabelled image needs to become a pseudo-label.", DefaultValueFactory = _ => sganDefaults.ConfidenceThreshold };
        var unlabeledRatio = new Option<int>("--unlabeled-ratio") { Description = "--semi-supervised: unlabelled images per labelled image in a batch.", DefaultValueFactory = _ => sganDefaults.UnlabeledRatio };
        var command = new Command("classify", "Train a character classifier (CNN), optionally semi-supervised with a GAN.");
        command.Options.Add(preset);
        var cv = TrainCrossValidation.CreateOption();
        command.Options.Add(cv);
        options.AddTo(command);
        foreach (var o in new Option[] { test, balanced, classWeights, smoothing, resize, autoContrast, semi, labeledFraction, unlabeled, unsupervisedWeight, entropyWeight, generatorLr, consistencyWeight, confidenceThreshold, unlabeledRatio })
            command.Options.Add(o);
        command.SetAction(parse => Cli.Run(() =>
        {
            var given = options.Specification(parse, RunTask.Classify);
            var training = options.Read(parse, given.Training);
            var recipe = given.Classifier ?? new ClassifierRecipe();
            T Pick<T>(Option<T> option, T fallback) => TrainingOptionSet.Pick(parse, option, fallback);
            // --semi-supervised turns the GAN on; its settings apply over the file's (or the defaults).
            var sgan = Pick(semi, recipe.SemiSupervised is not null) ? recipe.SemiSupervised ?? new SganOptions() : null;
            var spec = given with
            {
                Data = given.Data with
                {
                    TestFraction = Pick(test, given.Data.TestFraction ?? defaults.TestFraction),
                    LabeledFraction = Pick(labeledFraction, given.Data.LabeledFraction), Unlabeled = Pick(unlabeled, given.Data.Unlabeled),
                },
                Model = given.Model with { Preset = Pick(preset, given.Model.Preset ?? CharacterTrainingRequest.DefaultPreset) },
                Training = training,
                Classifier = recipe with
                {
                    Loss = recipe.Loss with
                    {
                        LabelSmoothing = Pick(smoothing, recipe.Loss.LabelSmoothing),
                        BalancedSampling = Pick(balanced, recipe.Loss.BalancedSampling),
                        ClassWeights = Pick(classWeights, recipe.Loss.ClassWeights),
                    },
                    Resize = Pick(resize, recipe.Resize),
                    AutoContrast = Pick(autoContrast, recipe.AutoContrast),
                    SemiSupervised = sgan is null ? null : sgan with
                    {
                        UnsupervisedWeight = Pick(unsupervisedWeight, sgan.UnsupervisedWeight),
                        EntropyWeight = Pick(entropyWeight, sgan.EntropyWeight),
                        GeneratorLearningRate = Pick(generatorLr, sgan.GeneratorLearningRate),
                        ConsistencyWeight = Pick(consistencyWeight, sgan.ConsistencyWeight),
                        ConfidenceThreshold = Pick(confidenceThreshold, sgan.ConfidenceThreshold),
                        UnlabeledRatio = Pick(unlabeledRatio, sgan.UnlabeledRatio),
                    },
                },
            };
            return Train(spec.Validate(), parse.GetValue(options.Out)!, parse.GetValue(options.Json),
                parse.GetValue(cv));
        }));
        return command;
    }

    private static int Train(RunSpecification spec, string outPath, bool json, int folds)
    {
        var runDirectory = spec.Training.RunDirectory;
        var display = new TrainingDisplay(runDirectory, $"{spec.Model.Preset} on {Path.GetFileName(Path.GetFullPath(spec.Data.Path))}", "accuracy", json);
        var log = new ConsoleLines(json);
        Action<int, IReadOnlyList<GrayImage>>? samples = spec.Classifier?.SemiSupervised is null ? null
            : (epoch, images) => GanSampleGrid.Save(Path.Combine(runDirectory, $"gan-epoch-{epoch:D3}.png"), images, $"SGAN samples, epoch {epoch}");
        using var cancel = new CancelOnCtrlC();
        var estimate = TrainCrossValidation.Run(spec, folds, json, cancel.Token);
        var outcome = display.Run(() => Runs.Train(spec, outPath, display, log, samples, cancel.Token));
        using var model = outcome.Model;
        Cli.WarnSkipped(outcome.Problems);

        var r = outcome.Training;
        var t = outcome.Test!;
        ConfusionMatrixChart.Save(Path.Combine(runDirectory, "confusion.png"), t, $"{spec.Model.Preset}, {t.Samples} held-out images");
        if (json)
        {
            TrainingJson.Write(new
            {
                task = "classification", model = outPath, preset = spec.Model.Preset, parameters = model.Module.ParameterCount(),
                best_epoch = r.BestEpoch, epochs_run = r.History.Count, stopped_early = r.StoppedEarly, resumed_from_epoch = r.ResumedFromEpoch,
                train_images = outcome.TrainCount, unlabeled_images = outcome.UnlabeledCount, validation_images = outcome.ValidationCount,
                seconds = r.Elapsed.TotalSeconds,
                test = new
                {
                    images = t.Samples, accuracy = t.Accuracy, top3_accuracy = t.Top3Accuracy,
                    top_confusions = t.TopConfusions(5).Select(c => new { expected = c.Truth, predicted = c.Predicted, count = c.Count }).ToList(),
                },
                skipped = outcome.Problems.Count, run_directory = runDirectory, epochs = TrainingJson.Epochs(r.History),
                cross_validation = TrainCrossValidation.Json(estimate),
            });
            return Cli.Ok;
        }
        if (r.ResumedFromEpoch > 0) AnsiConsole.MarkupLineInterpolated($"resumed after epoch {r.ResumedFromEpoch}");
        AnsiConsole.MarkupLineInterpolated(
            $"[green]saved[/] {outPath}: best epoch {r.BestEpoch} of {r.History.Count}, {outcome.TrainCount} labelled / {outcome.UnlabeledCount} unlabelled / {outcome.ValidationCount} validation images, {model.Module.ParameterCount():N0} parameters, {r.Elapsed.TotalSeconds:0}s");
        AnsiConsole.MarkupLineInterpolated($"[bold]held-out test: accuracy {t.Accuracy:P2}, top-3 {t.Top3Accuracy:P2} on {t.Samples} images[/]; logs and confusion.png in {runDirectory}");
        var confusions = string.Join(", ", t.TopConfusions(5).Select(c => $"{c.Truth}→{c.Predicted} ×{c.Count}"));
        if (confusions.Length > 0) AnsiConsole.MarkupLineInterpolated($"most confused: {confusions}");
        return Cli.Ok;
    }

    /// <summary>Plain status lines, written as they come (Progress&lt;T&gt; would post them to the thread pool and reorder them).</summary>
    private sealed class ConsoleLines(bool toStderr) : IProgress<string>
    {
        public void Report(string value)
        {
            if (toStderr) Console.Error.WriteLine(value);
            else AnsiConsole.WriteLine(value);
        }
    }
}
