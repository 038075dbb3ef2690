using System.Globalization;
using System.Text;
using System.Text.Json;
using System.Text.Json.Serialization;
using OcrForge.IO;

namespace OcrForge.Evaluation;

/// <summary>
/// A <see cref="ComparisonResult"/> as files: comparison.json (everything), comparison.csv (one row per model, raw
/// numbers) and comparison.md (the table people read). The same table feeds the console.
/// </summary>
public static class ComparisonReport
{
    public const string JsonFile = "comparison.json", CsvFile = "comparison.csv", MarkdownFile = "comparison.md";

    private static readonly JsonSerializerOptions Json = new()
    {
        WriteIndented = true,
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
    };

    private static readonly CultureInfo Invariant = CultureInfo.InvariantCulture;

    /// <summary>Writes the three files into <paramref name="directory"/> (created if needed).</summary>
    public static IReadOnlyList<string> Write(ComparisonResult result, string directory)
    {
        var files = new (string Name, string Text)[]
        {
            (JsonFile, ToJson(result)), (CsvFile, ToCsv(result)), (MarkdownFile, ToMarkdown(result)),
        };
        return files.Select(f =>
        {
            var path = Path.Combine(directory, f.Name);
            AtomicFile.WriteAllText(path, f.Text);
            return path;
        }).ToList();
    }

    public static string ToJson(ComparisonResult result) => JsonSerializer.Serialize(result, Json);

    public static string ToCsv(ComparisonResult result)
    {
        var metricNames = result.Models[0].Metrics.Keys.ToList();
        var header = new[] { "model", "engine", "parameters", "non_zero_parameters", "file_bytes", "gzip_bytes" }
            .Concat(metricNames)
            .Concat(["accuracy_delta_points", "latency_p50_ms", "latency_p99_ms", "images_per_second",
                "size_ratio", "gzip_ratio", "speedup", "throughput_ratio"]);
        var csv = new StringBuilder().AppendLine(string.Join(',', header));
        foreach (var m in result.Models)
        {
            var cells = new[] { Quote(m.Model), m.Engine, Raw(m.Parameters), Raw(m.NonZeroParameters), Raw(m.FileBytes),
                    Raw(m.GzipBytes) }
                .Concat(metricNames.Select(n => Raw(m.Metrics[n])))
                .Concat([Raw(m.AccuracyDeltaPoints), Raw(m.LatencyP50Ms), Raw(m.LatencyP99Ms), Raw(m.ImagesPerSecond),
                    Raw(m.SizeRatio), Raw(m.GzipRatio), Raw(m.Speedup), Raw(m.ThroughputRatio)]);
            csv.AppendLine(string.Join(',', cells));
        }
        return csv.ToString();
    }

    public static string ToMarkdown(ComparisonResult result)
    {
        var (headers, rows) = Table(result);
        var md = new StringBuilder()
            .AppendLine(CultureInfo.InvariantCulture, $"{result.Samples} images of {result.Data}; baseline " +
                $"{Path.GetFileName(result.Baseline)}; {result.Threads} threads; {result.Machine.Cpu}")
            .AppendLine()
            .AppendLine("| " + string.Join(" | ", headers) + " |")
            .AppendLine("|" + string.Concat(headers.Select((_, i) => i < 2 ? " --- |" : " ---: |")));
        foreach (var row in rows)
            md.AppendLine("| " + string.Join(" | ", row.Select(c => c.Replace("|", "\\|"))) + " |");
        foreach (var f in result.Failures)
            md.AppendLine().AppendLine(CultureInfo.InvariantCulture, $"not compared: {f.Model}: {f.Reason}");
        return md.ToString();
    }

    /// <summary>Column headers and formatted cells, one row per model: what Markdown and the console show.</summary>
    public static (IReadOnlyList<string> Headers, IReadOnlyList<IReadOnlyList<string>> Rows) Table(
        ComparisonResult result)
    {
        var metricNames = result.Models[0].Metrics.Keys.ToList();
        var headers = new[] { "model", "engine", "parameters", "non-zero", "file", "gzip" }
            .Concat(metricNames.Select(MetricHeader))
            .Concat(["Δ points", "p50 b=1", "p99 b=1", "img/s b=64", "size ×", "gzip ×", "speed b=1 ×", "img/s ×"])
            .ToList();
        var rows = result.Models.Select(m => (IReadOnlyList<string>)new[]
            {
                Path.GetFileName(m.Model), m.Engine, $"{m.Parameters:N0}", $"{m.NonZeroParameters:N0}", Kb(m.FileBytes),
                Kb(m.GzipBytes),
            }
            .Concat(metricNames.Select(n => n == "cer" ? m.Metrics[n].ToString("0.0000", Invariant)
                : m.Metrics[n].ToString("P2", Invariant)))
            .Concat([m.AccuracyDeltaPoints.ToString("+0.00;-0.00;0.00", Invariant), $"{m.LatencyP50Ms:0.000} ms",
                $"{m.LatencyP99Ms:0.000} ms", $"{m.ImagesPerSecond:N0}", Times(m.SizeRatio), Times(m.GzipRatio),
                Times(m.Speedup), Times(m.ThroughputRatio)])
            .ToList()).ToList();
        return (headers, rows);
    }

    public static string MetricHeader(string metric) => metric switch
    {
        "sequence_accuracy" => "seq. acc.",
        "character_accuracy" => "char. acc.",
        "cer" => "CER",
        "top1_accuracy" => "top-1",
        "top3_accuracy" => "top-3",
        _ => metric,
    };

    private static string Kb(long bytes) => (bytes / 1024.0).ToString("N0", Invariant) + " kB";
    private static string Times(double ratio) => ratio.ToString("0.00", Invariant) + "×";
    private static string Raw(long value) => value.ToString(Invariant);
    private static string Raw(double value) => value.ToString("R", Invariant);

    private static string Quote(string cell) =>
        cell.IndexOfAny([',', '"', '\n', '\r']) < 0 ? cell : "\"" + cell.Replace("\"", "\"\"") + "\"";
}
