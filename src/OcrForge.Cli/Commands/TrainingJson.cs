using OcrForge.Training;

namespace OcrForge.Cli.Commands;

/// <summary>
/// The shape of <c>train … --json</c> (docs/cli-json.md), written by the shared <see cref="JsonOutput"/>.
/// </summary>
public static class TrainingJson
{
    public static void Write(object document) => JsonOutput.Write(document);

    /// <summary>Every epoch as the log.csv row has it.</summary>
    public static object Epochs(IEnumerable<EpochRecord> history) => history.Select(e => new
    {
        e.Epoch, e.TrainLoss, e.TrainAccuracy, e.ValidationLoss, e.ValidationAccuracy, e.Metrics, e.LearningRate,
        e.Seconds, e.ImagesPerSecond,
    }).ToList();
}
