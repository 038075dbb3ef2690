using System.Text.Json.Serialization;
using OcrForge.Inference;

namespace OcrForge.Training;

public enum OptimizerKind { Adam, AdamW, Sgd, RmsProp, Adadelta, Adagrad, Adamax }

public enum ScheduleKind { None, Plateau, Cosine, OneCycle }

/// <summary>
/// How to train, independent of the task (CTC text lines, character classes, GAN). Every field has a CLI option of
/// the same name; <see cref="Validate"/> turns bad values into one-line errors that name the option.
/// </summary>
public sealed record TrainingOptions
{
    public int Epochs { get; init; } = 100;
    public int BatchSize { get; init; } = 16;
    public double LearningRate { get; init; } = 1e-3;
    public OptimizerKind Optimizer { get; init; } = OptimizerKind.Adam;
    public ScheduleKind Schedule { get; init; } = ScheduleKind.None;
    /// <summary>L2 penalty on the weights (decoupled for AdamW); null = the optimizer's default, see
    /// <see cref="OptimizerFactory"/>.</summary>
    public double? WeightDecay { get; init; }
    /// <summary>SGD's (Nesterov) momentum; the other optimizers ignore it.</summary>
    public double Momentum { get; init; } = 0.9;
    /// <summary>Epochs without a lower validation loss before stopping; 0 = never stop early.</summary>
    public int Patience { get; init; } = 10;
    public double ValidationFraction { get; init; } = 0.1;
    public bool Augment { get; init; }
    /// <summary>Text models: inputs at zero mean and unit variance over the training pixels; false = pixels in [0, 1]
    /// (<see cref="CtcTraining.InputScaling"/>).</summary>
    public bool Standardize { get; init; } = true;
    public int Seed { get; init; } = 42;
    /// <summary>Maximum global gradient norm; 0 = no clipping.</summary>
    public double GradClip { get; init; }
    /// <summary>
    /// Decay of an exponential moving average of the weights (<see cref="WeightAverage"/>) that is validated, kept and
    /// saved instead of the raw weights; 0 = off.
    /// </summary>
    public double Ema { get; init; }
    /// <summary>Continue from the checkpoint in <see cref="RunDirectory"/> when there is one.</summary>
    public bool Resume { get; init; }
    /// <summary>
    /// Where the checkpoint, CSV log, TensorBoard events and charts go; empty in a stored run specification, whose
    /// runner picks the folder beside the model file.
    /// </summary>
    public string RunDirectory { get; init; } = "";
    public int? Threads { get; init; }
    /// <summary>
    /// Text models: start again from new initial weights (a seed derived from <see cref="Seed"/>) when a run is still
    /// on CTC's all-blank plateau after <see cref="PlateauEpochs"/> epochs, at most this many times; 0 = never.
    /// Whether a CRNN without BatchNorm leaves the plateau soon depends on its initial weights (docs/RESULTS.md,
    /// keras-captcha), so a fresh start can be cheaper than waiting.
    /// </summary>
    public int PlateauRestarts { get; init; }
    /// <summary>The epoch at which <see cref="PlateauRestarts"/> judges a run.</summary>
    public int PlateauEpochs { get; init; } = 30;

    [JsonIgnore] public string CheckpointPath => Path.Combine(RunDirectory, "checkpoint.ckpt");
    [JsonIgnore] public string CsvLogPath => Path.Combine(RunDirectory, "log.csv");

    /// <summary>The run folder that goes with a model path: <c>m.ocrf</c> → <c>m.train/</c>.</summary>
    public static string RunDirectoryFor(string modelPath) =>
        Path.Combine(Path.GetDirectoryName(Path.GetFullPath(modelPath))!,
            Path.GetFileNameWithoutExtension(modelPath) + ".train");

    public TrainingOptions Validate()
    {
        if (Epochs < 1) throw new OcrForgeException($"--epochs {Epochs}: expected at least 1");
        if (BatchSize < 1) throw new OcrForgeException($"--batch-size {BatchSize}: expected at least 1");
        if (!(LearningRate > 0 && LearningRate < 10))
            throw new OcrForgeException($"--lr {LearningRate}: expected a number in (0, 10)");
        if (Patience < 0) throw new OcrForgeException($"--patience {Patience}: expected 0 (off) or more");
        if (!(ValidationFraction > 0 && ValidationFraction < 0.9))
            throw new OcrForgeException($"--val-fraction {ValidationFraction}: expected a number in (0, 0.9)");
        if (GradClip < 0) throw new OcrForgeException($"--grad-clip {GradClip}: expected 0 (off) or a positive norm");
        if (!(Momentum >= 0 && Momentum < 1))
            throw new OcrForgeException($"--momentum {Momentum}: expected a number in [0, 1)");
        if (WeightDecay is double w && !(w >= 0 && double.IsFinite(w)))
            throw new OcrForgeException($"--weight-decay {WeightDecay}: expected 0 or more");
        if (!(Ema == 0 || (Ema > 0 && Ema < 1)))
            throw new OcrForgeException($"--ema {Ema}: expected 0 (off) or a decay in (0, 1), e.g. 0.999");
        if (Threads is < 1) throw new OcrForgeException($"--threads {Threads}: expected at least 1");
        if (PlateauRestarts < 0)
            throw new OcrForgeException($"--plateau-restarts {PlateauRestarts}: expected 0 (off) or more");
        if (PlateauEpochs < 1) throw new OcrForgeException($"--plateau-epochs {PlateauEpochs}: expected at least 1");
        return this;
    }
}
