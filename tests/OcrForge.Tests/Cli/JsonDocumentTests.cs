using System.Text.Json;
using OcrForge.Tests.Training;

namespace OcrForge.Tests.Cli;

/// <summary>
/// Every command that produces a result prints it under --json as one document, or predict as one JSON Lines record
/// per image, through the one formatter (indented, snake_case). In-process on the tiny text model, one run each.
/// </summary>
[Collection(nameof(ConsoleCollection))]
public class JsonDocumentTests(TinyModelFixture tiny) : IClassFixture<TinyModelFixture>
{
    private static JsonElement Document(string stdout)
    {
        // Indented like every other --json output: the first key on its own line.
        Assert.StartsWith("{" + Environment.NewLine + "  \"", stdout);
        return JsonDocument.Parse(stdout).RootElement;
    }

    [Fact]
    public void Eval_prints_one_indented_document()
    {
        var (exit, stdout, stderr) = CtcCommandsTests.Run("eval", "-m", tiny.ModelPath, "--data", tiny.Images.Path, "--json", "--threads", "1");

        Assert.True(exit == 0, stderr);
        var root = Document(stdout);
        Assert.Equal(tiny.ModelPath, root.GetProperty("model").GetString());
        Assert.Equal(32, root.GetProperty("samples").GetInt32());
        Assert.Equal(JsonValueKind.Array, root.GetProperty("mistakes").ValueKind);
    }

    [Fact]
    public void Predict_prints_one_json_lines_record_per_image_with_its_path()
    {
        var files = Directory.GetFiles(tiny.Images.Path).Order().Take(3).ToArray();

        var (exit, stdout, stderr) = CtcCommandsTests.Run(["predict", "-m", tiny.ModelPath, .. files, "--json", "--threads", "1"]);

        Assert.True(exit == 0, stderr);
        var lines = stdout.Split('\n', StringSplitOptions.RemoveEmptyEntries);
        Assert.Equal(3, lines.Length);
        for (int i = 0; i < 3; i++)
        {
            var record = JsonDocument.Parse(lines[i]).RootElement;
            Assert.Equal(files[i], record.GetProperty("path").GetString());
            Assert.InRange(record.GetProperty("confidence").GetDouble(), 0, 1);
            Assert.Equal(JsonValueKind.String, record.GetProperty("text").ValueKind);
        }
    }

    [Fact]
    public void Export_and_quantize_print_one_document_naming_what_they_wrote()
    {
        using var dir = new TempDir();

        var (exit, stdout, stderr) = CtcCommandsTests.Run("export", "-m", tiny.ModelPath, "-o", dir.File("m.onnx"), "--json");
        var (qexit, qstdout, qstderr) = CtcCommandsTests.Run("quantize", "-m", tiny.ModelPath, "--data", tiny.Images.Path,
            "--calib-batches", "1", "--calib-batch-size", "8", "--threads", "1", "-o", dir.File("m.int8.onnx"), "--json");

        Assert.True(exit == 0, stderr);
        var export = Document(stdout);
        Assert.Equal(dir.File("m.onnx"), export.GetProperty("out").GetString());
        Assert.Equal(new FileInfo(dir.File("m.onnx")).Length, export.GetProperty("bytes").GetInt64());
        Assert.True(qexit == 0, qstderr);
        var quantize = Document(qstdout);
        Assert.Equal(new FileInfo(dir.File("m.int8.onnx")).Length, quantize.GetProperty("bytes").GetInt64());
        Assert.Equal(8, quantize.GetProperty("calibration_images").GetInt32());
        Assert.True(quantize.GetProperty("layers").GetArrayLength() > 0);
        Assert.Equal(JsonValueKind.Null, quantize.GetProperty("held_out").ValueKind);
    }

    [Fact]
    public void Bench_prints_one_document_with_a_result_per_batch_size()
    {
        var (exit, stdout, stderr) = CtcCommandsTests.Run("bench", "-m", tiny.ModelPath, "--data", tiny.Images.Path,
            "--batch", "1,4", "--threads", "1", "--seconds", "0.05", "--json");

        Assert.True(exit == 0, stderr);
        var root = Document(stdout);
        Assert.Equal([1, 4], root.GetProperty("results").EnumerateArray().Select(r => r.GetProperty("batch").GetInt32()));
        Assert.True(root.GetProperty("machine").GetProperty("cores").GetInt32() > 0);
    }

    [Fact]
    public void Export_refuses_an_output_that_is_not_onnx_and_warns_about_its_old_format_option()
    {
        using var dir = new TempDir();

        var (exit, _, stderr) = CtcCommandsTests.Run("export", "-m", tiny.ModelPath, "-o", dir.File("m.bin"));
        var (oldExit, _, oldStderr) = CtcCommandsTests.Run("export", "-m", tiny.ModelPath, "--format", "onnx", "-o", dir.File("m.onnx"));

        Assert.Equal(2, exit);
        Assert.Equal($"error: --out {dir.File("m.bin")}: export writes ONNX files, which end in .onnx", stderr.TrimEnd());
        Assert.True(oldExit == 0, oldStderr);
        Assert.Equal("warning: export --format onnx is deprecated and will be removed in the next release; use --out FILE.onnx alone",
            oldStderr.TrimEnd());
    }
}
