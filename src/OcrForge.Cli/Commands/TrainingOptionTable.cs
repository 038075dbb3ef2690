using OcrForge.Training;

namespace OcrForge.Cli.Commands;

/// <summary>
/// The training options that map one to one onto a <see cref="TrainingOptions"/> property, in --help order, each
/// defaulting to the task's recipe. The plateau restarts are CTC's alone: `train classify` does not take them.
/// </summary>
public static class TrainingOptionTable
{
    public static TrainingOptionRow[] Rows(TrainingOptions r, RunTask task) =>
    [.. Shared(r), .. task == RunTask.Ctc ? Ctc(r) : []];

    private static TrainingOptionRow[] Shared(TrainingOptions r) =>
    [
        TrainingOptionRow.Of(r, "--epochs", "Maximum number of epochs.",
            o => o.Epochs, (o, v) => o with { Epochs = v }),
        TrainingOptionRow.Of(r, "--batch-size", "Images per optimizer step.",
            o => o.BatchSize, (o, v) => o with { BatchSize = v }),
        TrainingOptionRow.Of(r, "--lr", "Peak learning rate.",
            o => o.LearningRate, (o, v) => o with { LearningRate = v }),
        TrainingOptionRow.Of(r, "--optimizer",
            "adam, adamw, adamax, adadelta, adagrad, sgd (Nesterov, --momentum) or rmsprop.",
            o => o.Optimizer, (o, v) => o with { Optimizer = v }),
        TrainingOptionRow.Of(r, "--weight-decay",
            "L2 penalty on the weights, decoupled for adamw (default: the recipe's, else the optimizer's: 0, " +
            "adamw 0.01).",
            o => o.WeightDecay, (o, v) => o with { WeightDecay = v }),
        TrainingOptionRow.Of(r, "--momentum", "Momentum of sgd (Nesterov); the other optimizers ignore it.",
            o => o.Momentum, (o, v) => o with { Momentum = v }),
        TrainingOptionRow.Of(r, "--schedule", "Learning-rate schedule: none, plateau, cosine or onecycle.",
            o => o.Schedule, (o, v) => o with { Schedule = v }),
        TrainingOptionRow.Of(r, "--patience",
            "Stop after this many epochs without a lower validation loss (0 = never).",
            o => o.Patience, (o, v) => o with { Patience = v }),
        TrainingOptionRow.Of(r, "--val-fraction", "Share of the images held out for validation and early stopping.",
            o => o.ValidationFraction, (o, v) => o with { ValidationFraction = v }),
        TrainingOptionRow.Of(r, "--augment",
            "Random rotation, shift, zoom, noise and blur on training images (--augment false: off).",
            o => o.Augment, (o, v) => o with { Augment = v }),
        TrainingOptionRow.Of(r, "--seed", "Seed for the split, initialisation, order and augmentation.",
            o => o.Seed, (o, v) => o with { Seed = v }),
        TrainingOptionRow.Of(r, "--grad-clip", "Clip the global gradient norm to this value (0 = off).",
            o => o.GradClip, (o, v) => o with { GradClip = v }),
        TrainingOptionRow.Of(r, "--ema",
            "Validate, keep and save a moving average of the weights with this decay per step (e.g. 0.999; " +
            "0 = off).",
            o => o.Ema, (o, v) => o with { Ema = v }),
    ];

    private static TrainingOptionRow[] Ctc(TrainingOptions r) =>
    [
        TrainingOptionRow.Of(r, "--standardize",
            "Scale inputs to zero mean and unit variance over the training images (--standardize false: pixels in " +
            "[0, 1], as the Keras captcha example).",
            o => o.Standardize, (o, v) => o with { Standardize = v }),
        TrainingOptionRow.Of(r, "--plateau-restarts",
            "Start again from new initial weights when the run is still on the all-blank CTC " +
            "plateau (validation character accuracy < 0.2) after --plateau-epochs epochs, at most this many times " +
            "(0 = never).",
            o => o.PlateauRestarts, (o, v) => o with { PlateauRestarts = v }),
        TrainingOptionRow.Of(r, "--plateau-epochs", "The epoch at which --plateau-restarts judges a run.",
            o => o.PlateauEpochs, (o, v) => o with { PlateauEpochs = v }),
    ];
}
