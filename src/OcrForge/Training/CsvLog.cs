using System.Globalization;
using System.Text;
using OcrForge.IO;

namespace OcrForge.Training;

/// <summary>
/// The per-epoch log as CSV. Rewritten whole (atomically) from the history after every epoch, so a resumed run's
/// log is exactly the uninterrupted run's log, with no half-written or duplicated rows.
/// </summary>
public static class CsvLog
{
    public static void Write(string path, IReadOnlyList<EpochRecord> history)
    {
        var metricNames = history.SelectMany(h => h.Metrics.Keys).Distinct().ToList();
        var sb = new StringBuilder();
        sb.Append("epoch,train_loss,train_accuracy,val_loss,val_accuracy");
        foreach (var m in metricNames) sb.Append(',').Append(m);
        sb.AppendLine(",lr,seconds,images_per_second");
        foreach (var h in history)
        {
            sb.Append(CultureInfo.InvariantCulture,
                $"{h.Epoch},{F(h.TrainLoss)},{F(h.TrainAccuracy)},{F(h.ValidationLoss)},{F(h.ValidationAccuracy)}");
            foreach (var m in metricNames) sb.Append(',').Append(h.Metrics.TryGetValue(m, out var v) ? F(v) : "");
            sb.AppendLine(CultureInfo.InvariantCulture,
                $",{F(h.LearningRate)},{h.Seconds:0.###},{h.ImagesPerSecond:0.#}");
        }
        AtomicFile.WriteAllText(path, sb.ToString());
    }

    private static string F(double v) => v.ToString("G6", CultureInfo.InvariantCulture);
}
