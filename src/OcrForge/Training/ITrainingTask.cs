using OcrForge.Models;
using static TorchSharp.torch;

namespace OcrForge.Training;

/// <summary>The loss of one training batch (still attached to the graph) and, when the task can tell cheaply, how
/// many samples it got right.</summary>
public sealed record BatchLoss(Tensor Loss, int Samples, int? Correct = null);

/// <summary>Validation after an epoch: the loss early stopping watches, the headline accuracy, and task-specific
/// metrics.</summary>
public sealed record ValidationResult(double Loss, double Accuracy, IReadOnlyDictionary<string, double> Metrics)
{
    /// <summary>
    /// False when this epoch's weights must not become the kept best weights whatever their loss (pruning: the
    /// sparsity has not reached its target yet). Such an epoch does not count towards early stopping either.
    /// </summary>
    public bool MayKeep { get; init; } = true;
}

/// <summary>
/// What <see cref="Trainer"/> needs from a task (CTC text lines, character classes, …). The trainer owns the epochs,
/// the order of the samples, the optimizer, schedule, clipping, checkpoints, logs and early stopping; the task
/// only turns a batch into a loss and the validation set into metrics.
/// Rules: <see cref="Loss"/> runs in training mode inside the caller's dispose scope and draws all augmentation
/// randomness from the generator it is given; <see cref="Validate"/> switches to eval mode, runs without gradients,
/// and leaves no tensors behind.
/// </summary>
public interface ITrainingTask
{
    OcrModule Model { get; }

    /// <summary>Number of training samples; the trainer passes indices in [0, count).</summary>
    int TrainingCount { get; }

    BatchLoss Loss(IReadOnlyList<int> batch, Random augmentation);

    ValidationResult Validate(CancellationToken cancellationToken);
}

/// <summary>
/// A task that trains more than the trainer's model (the SGAN's generator and its optimizer): the trainer writes this
/// state into every checkpoint with the rest, so that <c>--resume</c> continues the whole run, not just the model.
/// </summary>
public interface ICheckpointedTask
{
    void SaveState(BinaryWriter writer);

    void LoadState(BinaryReader reader);
}

/// <summary>A task that acts on the model after every optimizer step (pruning re-applies its masks there).</summary>
public interface IStepObserver
{
    /// <param name="epoch">0-based epoch.</param>
    /// <param name="step">0-based step within the epoch.</param>
    /// <param name="stepsPerEpoch">Steps in every epoch, so that (epoch, step) gives a global step on resume
    /// too.</param>
    void AfterStep(int epoch, int step, int stepsPerEpoch);
}

/// <summary>
/// A task that regroups the trainer's shuffled sample order into batches of its own choosing (variable-width text:
/// images of similar width together, so that a batch is not padded to one long line). Must be a permutation and a
/// function of its input alone, so that seeded and resumed runs see the same batches.
/// </summary>
public interface IBatchArrangement
{
    int[] Arrange(int[] shuffled, int batchSize);
}
