using OcrForge.Evaluation;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
using OcrForge.Reports;

namespace OcrForge.Tests.Reports;

public class CompareChartsTests
{
    private static ComparedModel Row(string name, double accuracy, long bytes, double p50, double ips) => new()
    {
        Model = $"/models/{name}", Engine = "onnx", Parameters = 1000, NonZeroParameters = 500, FileBytes = bytes,
        GzipBytes = bytes / 2, Metrics = new Dictionary<string, double>
        {
            ["sequence_accuracy"] = accuracy, ["character_accuracy"] = accuracy, ["cer"] = 1 - accuracy,
        },
        Accuracy = accuracy, LatencyP50Ms = p50, LatencyP99Ms = p50 * 2, ImagesPerSecond = ips,
    };

    [Fact]
    public void The_four_charts_are_decodable_pngs_and_leave_no_temporary_files()
    {
        using var dir = new TempDir();
        var result = new ComparisonResult("text_recognition", "test/", 100, 0, "/models/a.ocrf", "sequence_accuracy", 2,
            [Row("a.ocrf", 0.99, 4_700_000, 3.1, 660), Row("a.int8.onnx", 0.98, 1_170_000, 0.4, 4500)], [],
            MachineInfo.Describe());

        var files = ComparisonCharts.Save(result, dir.File("report"));

        Assert.Equal(["accuracy.png", "size.png", "latency.png", "throughput.png"], files.Select(Path.GetFileName));
        foreach (var file in files)
        {
            var image = ImageDecoder.DecodeFile(file);
            Assert.Equal((900, 500), (image.Width, image.Height));
            // Not a blank canvas: bars and labels put many shades on it.
            Assert.True(image.Pixels.Distinct().Count() > 10, file);
        }
        Assert.Empty(Directory.GetFiles(dir.File("report"), "*.tmp"));
    }
}
