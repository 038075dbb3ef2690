using OcrForge.Inference.Engines;

namespace OcrForge.Tests.Export;

/// <summary>The deploy commands end to end, through the real CLI binary: exit codes and one-line errors.</summary>
public class DeployCommandTests
{
    [Fact]
    public void Export_writes_an_onnx_file_the_engine_opens()
    {
        using var dir = new TempDir();
        using (var model = TinyModels.Create("gru-2layer")) model.Save(dir.File("m.ocrf"));

        var (exit, _, error) = Run("export", "--model", dir.File("m.ocrf"), "--out", dir.File("m.onnx"));

        Assert.True(exit == 0, error);
        using var engine = new OnnxEngine(dir.File("m.onnx"));
        Assert.Equal(OcrTask.TextRecognition, engine.Info.Task);
    }

    [Theory]
    [InlineData("export", "--model", "/nonexistent/m.ocrf", "--out", "x.onnx", "error: /nonexistent/m.ocrf: no such model file")]
    [InlineData("export", "--model", "PNG", "--out", "x.onnx", "not an OcrForge model file")]
    [InlineData("quantize", "--model", "/nonexistent/m.ocrf", "--data", "/tmp", "--out", "x.onnx", "error: /nonexistent/m.ocrf: no such model file")]
    [InlineData("bench", "--model", "/nonexistent/m.onnx", "--data", "/tmp", "--engine", "gpu", "error: --engine gpu: unknown engine")]
    // Refused while parsing, for every command: eval on an .ocrf file used to abort inside libtorch, quantize took it.
    [InlineData("eval", "--model", "/nonexistent/m.ocrf", "--data", "/tmp", "--threads", "0", "error: --threads 0: expected at least 1")]
    [InlineData("quantize", "--model", "/nonexistent/m.ocrf", "--data", "/tmp", "--threads", "-1", "--out", "x.onnx", "error: --threads -1: expected at least 1")]
    // CTC's plateau restarts are not a classifier's option.
    [InlineData("train", "classify", "--data", "/tmp", "--plateau-restarts", "2", "--out", "x.ocrf", "error: Unrecognized command or argument '--plateau-restarts'")]
    public void Bad_input_is_one_line_on_stderr_with_exit_code_2(params string[] argsAndExpected)
    {
        var args = argsAndExpected[..^1].Select(a => a == "PNG" ? Directory.GetFiles(TestData.Captchas, "*.png")[0] : a).ToArray();

        var (exit, _, error) = Run(args);

        Assert.Equal(2, exit);
        Assert.Contains(argsAndExpected[^1], error);
        Assert.Single(error.Trim().Split('\n'));
    }

    [Fact]
    public void Bench_accepts_subcommands_without_its_own_required_options()
    {
        var bench = OcrForge.Cli.Commands.BenchCommands.Create();
        bool ran = false;
        var probe = new System.CommandLine.Command("probe");
        probe.SetAction(_ => { ran = true; return 0; });
        bench.Subcommands.Add(probe);
        var root = new System.CommandLine.RootCommand { bench };

        var parse = root.Parse(["bench", "probe"]);

        Assert.Empty(parse.Errors);
        Assert.Equal(0, parse.Invoke());
        Assert.True(ran);
    }

    private static (int Exit, string Output, string Error) Run(params string[] args) => Cli.CliProcess.Run(args);
}
