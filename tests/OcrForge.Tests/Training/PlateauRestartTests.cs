using OcrForge.Training;

namespace OcrForge.Tests.Training;

public class PlateauRestartTests
{
    [Fact]
    public void A_run_still_on_the_plateau_starts_again_from_new_weights_and_its_curve_keeps_counting()
    {
        // Given tiny text lines and a recipe that judges the run after one epoch: far too early to have left the plateau
        using var dir = new TempDir();
        var (data, options) = TinyRun(dir, epochs: 2);
        var epochs = new List<int>();
        var progress = new Recorder(p => { if (p.Finished is { } f) epochs.Add(f.Epoch); });

        // When it trains
        var (model, result) = CtcTraining.Fit(data, TinyText.Model, "tiny", [], options, progress);
        using var _ = model;

        // Then both judged runs were abandoned at epoch 1, each from its own seed, and the third ran its two epochs
        Assert.Equal([5, PlateauAttempt.Seed(5, 1)], result.Restarts.Select(r => r.Seed));
        Assert.All(result.Restarts, r => Assert.Equal(1, r.Epoch));
        Assert.All(result.Restarts, r => Assert.InRange(r.CharacterAccuracy, 0, PlateauAttempt.CharacterAccuracy));
        Assert.Equal([1, 2], result.History.Select(h => h.Epoch));
        // And the reported curve counts on across the restarts
        Assert.Equal([1, 2, 3, 4], epochs);
        // And the model records the run's seed (its split) and the seed its weights came from
        Assert.Equal("5", model.Manifest.Training["seed"]);
        Assert.Equal(PlateauAttempt.Seed(5, 2).ToString(System.Globalization.CultureInfo.InvariantCulture), model.Manifest.Training["init_seed"]);
        // And the run folder names the attempt, so that --resume continues it rather than the first
        Assert.Equal(2, PlateauAttempt.Read(dir.File("run")).Attempt);
        Assert.Equal(result.Restarts, PlateauAttempt.Read(dir.File("run")).Restarts);

        // And the same seed gives the same run
        var (again, second) = CtcTraining.Fit(data, TinyText.Model, "tiny", [], options with { RunDirectory = dir.File("run2") });
        using var __ = again;
        Assert.Equal(result.Restarts, second.Restarts);
        Assert.Equal(result.History.Select(h => h.ValidationLoss), second.History.Select(h => h.ValidationLoss));

        // And without restarts nothing is judged
        var (plain, once) = CtcTraining.Fit(data, TinyText.Model, "tiny", [], options with { PlateauRestarts = 0, RunDirectory = dir.File("run3") });
        using var ___ = plain;
        Assert.Empty(once.Restarts);
        Assert.False(plain.Manifest.Training.ContainsKey("init_seed"));
    }

    [Fact]
    public void A_run_interrupted_after_its_restarts_resumes_its_last_attempt_and_still_lists_them()
    {
        // Given the run above, interrupted during its third attempt (the fourth epoch of its curve)
        using var dir = new TempDir();
        var (data, options) = TinyRun(dir, epochs: 3);
        using var stop = new CancellationTokenSource();
        var interrupted = new Recorder(p => { if (p.Finished is { Epoch: 4 }) stop.Cancel(); });
        Assert.ThrowsAny<OperationCanceledException>(
            () => CtcTraining.Fit(data, TinyText.Model, "tiny", [], options, interrupted, stop.Token));

        // When it is resumed
        var epochs = new List<int>();
        var (model, resumed) = CtcTraining.Fit(data, TinyText.Model, "tiny", [], options with { Resume = true },
            new Recorder(p => { if (p.Finished is { } f) epochs.Add(f.Epoch); }));
        using var _ = model;

        // Then it lists the two restarts made before the interruption, and its curve goes on after them
        var (whole, uninterrupted) = CtcTraining.Fit(data, TinyText.Model, "tiny", [], options with { RunDirectory = dir.File("whole") });
        using var __ = whole;
        Assert.Equal(uninterrupted.Restarts, resumed.Restarts);
        Assert.Equal(2, resumed.Restarts.Count);
        Assert.NotEmpty(epochs);
        Assert.All(epochs, e => Assert.InRange(e, 3, 5));
        Assert.Equal(5, epochs[^1]);
        Assert.Equal(PlateauAttempt.Seed(5, 2).ToString(System.Globalization.CultureInfo.InvariantCulture), model.Manifest.Training["init_seed"]);
    }

    [Fact]
    public void A_damaged_attempt_file_is_a_one_line_error_naming_it_and_an_old_one_still_resumes()
    {
        using var dir = new TempDir();
        Directory.CreateDirectory(dir.File("run"));
        File.WriteAllText(dir.File("run/plateau-attempt.json"), "{\"attempt\": 2, \"restar");
        var e = Assert.Throws<OcrForge.Inference.OcrForgeException>(() => PlateauAttempt.Read(dir.File("run")));
        Assert.StartsWith(dir.File("run/plateau-attempt.json") + ": damaged (", e.Message);
        Assert.DoesNotContain("\n", e.Message);

        Directory.CreateDirectory(dir.File("old"));
        File.WriteAllText(dir.File("old/plateau-attempt.txt"), "1");
        Assert.Equal(1, PlateauAttempt.Read(dir.File("old")).Attempt);
        Assert.Empty(PlateauAttempt.Read(dir.File("old")).Restarts);
    }

    [Fact]
    public void Restart_options_are_checked_and_spelled_out_in_the_repeat_command()
    {
        Assert.Equal("--plateau-restarts -1: expected 0 (off) or more",
            Assert.Throws<OcrForge.Inference.OcrForgeException>(() => new TrainingOptions { PlateauRestarts = -1 }.Validate()).Message);
        Assert.Equal("--plateau-epochs 0: expected at least 1",
            Assert.Throws<OcrForge.Inference.OcrForgeException>(() => new TrainingOptions { PlateauEpochs = 0 }.Validate()).Message);
        var run = new OcrForge.Tuning.TrainingRun("ctc", "keras-captcha", [], new TrainingOptions { PlateauRestarts = 3, PlateauEpochs = 25 });
        var line = string.Join(" ", run.CommandLine("d", OcrForge.Data.DatasetFormat.Auto, "m.ocrf"));
        Assert.Contains("--plateau-restarts 3 --plateau-epochs 25", line);

        // A run of a preset whose own recipe restarts says so even when it does not, or repeating it would restart
        var none = new OcrForge.Tuning.TrainingRun("ctc", "keras-captcha", [], new TrainingOptions { Standardize = false });
        var repeat = string.Join(" ", none.CommandLine("d", OcrForge.Data.DatasetFormat.Auto, "m.ocrf"));
        Assert.Contains("--plateau-restarts 0 --plateau-epochs 30", repeat);
        Assert.Contains("--standardize false", repeat);
        var plain = new OcrForge.Tuning.TrainingRun("ctc", "captcha-crnn", [], new TrainingOptions());
        var plainLine = string.Join(" ", plain.CommandLine("d", OcrForge.Data.DatasetFormat.Auto, "m.ocrf"));
        Assert.DoesNotContain("--plateau-restarts", plainLine);
        Assert.DoesNotContain("--standardize", plainLine);
    }

    [Fact]
    public void A_study_can_search_the_input_scaling_and_keras_captcha_trials_start_from_its_recipe()
    {
        var values = new Dictionary<string, object> { ["standardize"] = "false" };
        var trial = OcrForge.Tuning.TrainingParameters.Apply(CtcTraining.Recipe, values, "keras-captcha", epochs: 30,
            seed: 1, threads: 1, runDirectory: "");
        Assert.False(trial.Standardize);
        Assert.True(trial.Augment);
        Assert.Equal((4, 25), (trial.PlateauRestarts, trial.PlateauEpochs));
        Assert.Contains("standardize", OcrForge.Tuning.CtcObjective.Known);
    }

    /// <summary>Tiny text lines and a recipe that judges the run after one epoch, with two restarts.</summary>
    private static (CtcData Data, TrainingOptions Options) TinyRun(TempDir dir, int epochs)
    {
        var samples = TinyText.Make(48, 3);
        var (train, validation) = (samples.Take(40).ToList(), samples.Skip(40).ToList());
        var data = new CtcData("tiny", train, validation, TinyText.Charset, CtcTraining.Standardize(train, TinyText.Model), []);
        return (data, CtcTraining.Recipe with
        {
            Epochs = epochs, BatchSize = 8, Patience = 0, Threads = 1, Seed = 5,
            PlateauRestarts = 2, PlateauEpochs = 1, RunDirectory = dir.File("run"),
        });
    }

    private sealed class Recorder(Action<TrainingProgress> report) : IProgress<TrainingProgress>
    {
        public void Report(TrainingProgress value) => report(value);
    }
}
