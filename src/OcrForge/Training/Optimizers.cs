using OcrForge.Inference;
using static TorchSharp.torch;

namespace OcrForge.Training;

/// <summary>
/// Creates the optimizer an <see cref="OptimizerKind"/> names, with PyTorch's defaults besides the learning rate,
/// weight decay and SGD's momentum. Weight decay left unset (null) is the optimizer's own default: 0, except AdamW's
/// 0.01 (decoupled decay is what AdamW is chosen for).
/// </summary>
public static class OptimizerFactory
{
    /// <summary>PyTorch's AdamW default decay.</summary>
    public const double AdamWDefaultDecay = 0.01;

    public static TorchSharp.Modules.OptimizerHelper Create(OptimizerKind kind,
        IEnumerable<TorchSharp.Modules.Parameter> parameters, double lr, double? weightDecay = null,
        double momentum = 0.9)
    {
        double decay = weightDecay ?? (kind == OptimizerKind.AdamW ? AdamWDefaultDecay : 0);
        return kind switch
        {
            OptimizerKind.Adam => optim.Adam(parameters, lr, weight_decay: decay),
            OptimizerKind.AdamW => optim.AdamW(parameters, lr, weight_decay: decay),
            OptimizerKind.Adamax => optim.Adamax(parameters, lr, weight_decay: decay),
            // Adadelta's and Adagrad's step sizes adapt from the accumulated squares; lr scales them (PyTorch's
            // defaults are 1.0 and 0.01, so a space over lr should include those for these two).
            OptimizerKind.Adadelta => optim.Adadelta(parameters, lr, weight_decay: decay),
            OptimizerKind.Adagrad => optim.Adagrad(parameters, lr, weight_decay: decay),
            OptimizerKind.Sgd =>
                optim.SGD(parameters, lr, momentum: momentum, weight_decay: decay, nesterov: momentum > 0),
            OptimizerKind.RmsProp => optim.RMSProp(parameters, lr, weight_decay: decay),
            _ => throw new OcrForgeException($"--optimizer {kind}: unknown optimizer"),
        };
    }

    public static void SetLearningRate(optim.Optimizer optimizer, double lr)
    {
        foreach (var group in optimizer.ParamGroups) group.LearningRate = lr;
    }
}

/// <summary>The state of a plateau schedule, kept in checkpoints so a resumed run decays at the same epochs.</summary>
public sealed record PlateauState(double Best = double.PositiveInfinity, int BadEpochs = 0, double Factor = 1.0);

/// <summary>
/// Learning rate per optimizer step. Cosine and one-cycle are pure functions of the step, so resuming needs no
/// state; plateau divides the rate by 5 after <see cref="PlateauPatience"/> epochs without a lower validation loss.
/// </summary>
public sealed class LearningRateSchedule(ScheduleKind kind, double baseRate, int epochs, int stepsPerEpoch)
{
    /// <summary>Half the early-stopping default, so the rate drops before training gives up.</summary>
    public const int PlateauPatience = 4;
    private const double PlateauDecay = 0.2;
    // PyTorch's OneCycleLR defaults: 30 % warm-up from lr/25, then cosine annealing to lr/(25·10⁴).
    private const double OneCycleWarmup = 0.3, OneCycleDiv = 25, OneCycleFinalDiv = 1e4;

    public PlateauState Plateau { get; set; } = new();

    public double Rate(int epoch, int step)
    {
        double progress = Math.Clamp(
            (epoch * (double)stepsPerEpoch + step) / Math.Max(1.0, epochs * (double)stepsPerEpoch - 1), 0, 1);
        return kind switch
        {
            ScheduleKind.None => baseRate,
            ScheduleKind.Plateau => baseRate * Plateau.Factor,
            ScheduleKind.Cosine => baseRate * 0.5 * (1 + Math.Cos(Math.PI * progress)),
            ScheduleKind.OneCycle => progress < OneCycleWarmup
                ? Anneal(baseRate / OneCycleDiv, baseRate, progress / OneCycleWarmup)
                : Anneal(baseRate, baseRate / OneCycleDiv / OneCycleFinalDiv,
                    (progress - OneCycleWarmup) / (1 - OneCycleWarmup)),
            _ => baseRate,
        };
    }

    /// <summary>Told the validation loss after every epoch; only the plateau schedule listens.</summary>
    public void EndEpoch(double validationLoss)
    {
        if (kind != ScheduleKind.Plateau) return;
        Plateau = validationLoss < Plateau.Best
            ? Plateau with { Best = validationLoss, BadEpochs = 0 }
            : Plateau.BadEpochs + 1 >= PlateauPatience
                ? Plateau with { BadEpochs = 0, Factor = Plateau.Factor * PlateauDecay }
                : Plateau with { BadEpochs = Plateau.BadEpochs + 1 };
    }

    private static double Anneal(double from, double to, double t) =>
        to + (from - to) * 0.5 * (1 + Math.Cos(Math.PI * t));
}
