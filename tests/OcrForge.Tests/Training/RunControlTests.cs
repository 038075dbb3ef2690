using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.IO;
using OcrForge.Training;

namespace OcrForge.Tests.Training;

/// <summary>Serial: the runs draw from torch's process-wide generator.</summary>
[Collection(Gan.SeededTorchCollection.Name)]
public class RunControlTests
{
    private static RunSpecification Tiny(string data, string runDirectory, int epochs = 4) =>
        RunSpecification.Default(RunTask.Ctc, data) with
        {
            Model = new RunModel { Preset = "captcha-crnn", Overrides = RunSpecificationTests.TinyCrnn },
            Training = CtcTraining.Recipe with
            {
                Epochs = epochs, BatchSize = 8, Patience = 0, Threads = 1, RunDirectory = runDirectory,
            },
        };

    [Fact]
    public void A_callback_that_stops_after_epoch_two_keeps_two_epochs_and_a_usable_model()
    {
        using var dir = new TempDir();
        var data = Compression.PruningTests.WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        var seen = new List<double>();
        var control = new RunControl
        {
            AfterEpoch = epoch =>
            {
                seen.Add(epoch.ValidationLoss);
                return epoch.Epoch == 2 ? EpochDecision.Stop : EpochDecision.Continue;
            },
        };

        var result = Runs.Train(Tiny(data, dir.File("run")), dir.File("m.ocrf"), control: control);
        using var model = result.Model;

        Assert.Equal(2, seen.Count);
        Assert.Equal([1, 2], result.Training.History.Select(h => h.Epoch));
        Assert.Equal(seen, result.Training.History.Select(h => h.ValidationLoss));
        Assert.Equal(TrainingStop.Callback, result.Training.Stop);
        Assert.True(result.Training.StoppedEarly);
        Assert.InRange(result.Training.BestEpoch, 1, 2);
        Assert.InRange(result.HeldOut["sequence_accuracy"], 0, 1);
        Assert.Equal("2", model.Manifest.Training["epochs_run"]);
        // The file written is a model like any other: it loads and reads an image.
        using var recognizer = TextRecognizer.Load(dir.File("m.ocrf"));
        var image = DatasetDecoder.Decode(DatasetReader.Read(data)).Samples[0].Image;
        Assert.NotNull(recognizer.Predict(image).Text);
    }

    [Fact]
    public void A_run_left_alone_completes_and_says_so()
    {
        using var dir = new TempDir();
        var data = Compression.PruningTests.WriteTextData(dir.File("data"), TinyText.Make(40, 1));

        var result = Runs.Train(Tiny(data, dir.File("run"), epochs: 1),
            control: new RunControl { AfterEpoch = _ => EpochDecision.Continue });
        using (result.Model) { }

        Assert.Equal(TrainingStop.Completed, result.Training.Stop);
        Assert.Single(result.Training.History);
    }

    [Fact]
    public void Cancelling_with_keep_on_cancel_returns_the_finished_epochs_and_without_it_throws()
    {
        using var dir = new TempDir();
        var data = Compression.PruningTests.WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        using var kept = new CancellationTokenSource();
        // Cancelled from the callback after epoch 2: the run notices before the next batch, in epoch 3.
        var control = new RunControl
        {
            KeepOnCancel = true,
            AfterEpoch = epoch =>
            {
                if (epoch.Epoch == 2) kept.Cancel();
                return EpochDecision.Continue;
            },
        };

        var result = Runs.Train(Tiny(data, dir.File("run")), control: control, cancellationToken: kept.Token);
        using (result.Model) { }

        Assert.Equal(TrainingStop.Cancelled, result.Training.Stop);
        Assert.Equal(2, result.Training.History.Count);
        Assert.InRange(result.HeldOut["sequence_accuracy"], 0, 1);

        using var lost = new CancellationTokenSource();
        var plain = new RunControl
        {
            AfterEpoch = epoch =>
            {
                if (epoch.Epoch == 1) lost.Cancel();
                return EpochDecision.Continue;
            },
        };
        Assert.ThrowsAny<OperationCanceledException>(() =>
            Runs.Train(Tiny(data, dir.File("run2")), control: plain, cancellationToken: lost.Token));
    }

    [Fact]
    public void A_classifier_run_stopped_after_its_first_epoch_keeps_it_and_scores_its_test_split()
    {
        using var dir = new TempDir();
        var spec = new RunSpecification
        {
            Task = RunTask.Classify,
            Data = new RunData
            {
                Path = RunSpecificationTests.WriteCharacters(dir.File("data")), Format = DatasetFormat.Folders,
                TestFraction = 0.2,
            },
            Model = new RunModel { Preset = "chars74k-cnn", Overrides = RunSpecificationTests.TinyCnn },
            Training = OcrForge.Training.Classification.CharacterTraining.Recipe with
            {
                Epochs = 3, BatchSize = 8, Seed = 6, Threads = 1, RunDirectory = dir.File("run"),
            },
            Classifier = new ClassifierRecipe(),
        };

        var result = Runs.Train(spec, control: new RunControl { AfterEpoch = _ => EpochDecision.Stop });
        using (result.Model) { }

        Assert.Equal(TrainingStop.Callback, result.Training.Stop);
        Assert.Single(result.Training.History);
        Assert.Equal(1, result.Training.BestEpoch);
        Assert.Equal(8, result.Test!.Samples);
    }

    [Fact]
    public void A_run_cancelled_before_its_first_epoch_ends_has_nothing_to_keep_and_throws()
    {
        using var dir = new TempDir();
        var data = Compression.PruningTests.WriteTextData(dir.File("data"), TinyText.Make(40, 1));
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();

        Assert.ThrowsAny<OperationCanceledException>(() => Runs.Train(Tiny(data, dir.File("run")),
            control: new RunControl { KeepOnCancel = true }, cancellationToken: cancelled.Token));
    }
}
