using System.Text.Json;
using System.Text.Json.Nodes;
using OcrForge.Training;

namespace OcrForge.Cli.Commands;

/// <summary>
/// The shape of <c>train … --json</c> (docs/cli-json.md), written by the shared <see cref="JsonOutput"/>.
/// </summary>
public static class TrainingJson
{
    /// <summary>
    /// One training run's document: the fields every task shares, with the task's own result (<c>validation</c>
    /// for text models, <c>test</c> for classifiers) where <paramref name="resultName"/> says. Classifiers also count
    /// their unlabelled images.
    /// </summary>
    public static void Write(string task, RunResult outcome, RunSpecification spec, string outPath,
        CrossValidationResult? estimate, string resultName, object result)
    {
        var r = outcome.Training;
        var document = new JsonObject();
        void Add(string name, object? value) => document[name] = JsonSerializer.SerializeToNode(value,
            JsonOutput.Document);
        Add("task", task);
        Add("model", outPath);
        Add("preset", spec.Model.Preset);
        Add("parameters", outcome.Model.Module.ParameterCount());
        Add("best_epoch", r.BestEpoch);
        Add("epochs_run", r.History.Count);
        Add("stopped_early", r.StoppedEarly);
        Add("resumed_from_epoch", r.ResumedFromEpoch);
        if (task == "text_recognition") Add("plateau_restarts", r.Restarts.Select(p => new
        {
            seed = p.Seed, epoch = p.Epoch, character_accuracy = p.CharacterAccuracy,
        }).ToList());
        Add("train_images", outcome.TrainCount);
        if (task == "classification") Add("unlabeled_images", outcome.UnlabeledCount);
        Add("validation_images", outcome.ValidationCount);
        Add("seconds", r.Elapsed.TotalSeconds);
        Add(resultName, result);
        Add("skipped", outcome.Problems.Count);
        Add("run_directory", spec.Training.RunDirectory);
        Add("epochs", Epochs(r.History));
        Add("cross_validation", TrainCrossValidation.Json(estimate));
        JsonOutput.Write(document);
    }

    /// <summary>Every epoch as the log.csv row has it.</summary>
    public static object Epochs(IEnumerable<EpochRecord> history) => history.Select(e => new
    {
        e.Epoch, e.TrainLoss, e.TrainAccuracy, e.ValidationLoss, e.ValidationAccuracy, e.Metrics, e.LearningRate,
        e.Seconds, e.ImagesPerSecond,
    }).ToList();
}
