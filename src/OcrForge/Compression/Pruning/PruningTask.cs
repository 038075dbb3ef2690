using OcrForge.Models;
using OcrForge.Training;

namespace OcrForge.Compression.Pruning;

/// <summary>
/// Fine-tuning with gradual magnitude pruning around any training task: the task's loss and validation as they are,
/// the pruner applied after every optimizer step at the schedule's sparsity, and only epochs at the target sparsity
/// eligible as the kept best weights (an earlier, denser epoch would otherwise win on validation loss).
/// The global step comes from (epoch, step), so a resumed run prunes exactly as the uninterrupted one.
/// </summary>
public sealed class PruningTask(ITrainingTask inner, SparsitySchedule schedule) : ITrainingTask, IStepObserver
{
    private readonly MagnitudePruner _pruner = new(inner.Model);
    private long _step;

    public OcrModule Model => inner.Model;
    public int TrainingCount => inner.TrainingCount;
    public MagnitudePruner Pruner => _pruner;

    public BatchLoss Loss(IReadOnlyList<int> batch, Random augmentation) => inner.Loss(batch, augmentation);

    public void AfterStep(int epoch, int step, int stepsPerEpoch)
    {
        _step = (long)epoch * stepsPerEpoch + step + 1;
        _pruner.Apply(schedule.At(_step));
    }

    public ValidationResult Validate(CancellationToken cancellationToken)
    {
        var result = inner.Validate(cancellationToken);
        var metrics = new Dictionary<string, double>(result.Metrics)
        {
            ["sparsity"] = MagnitudePruner.Overall(_pruner.Measure())
        };
        return result with { Metrics = metrics, MayKeep = result.MayKeep && schedule.Reached(_step) };
    }
}
