using System.Diagnostics;

namespace OcrForge.Tests.Export;

/// <summary>
/// Runs the reference ONNX checker (Debian's python3-onnx, ONNX 1.12) on exported files with full_check (shape
/// inference included). The test project installs the package when absent (OnnxChecker.targets); if it is still
/// missing the test fails, saying so, rather than passing silently.
/// </summary>
public static class OnnxChecker
{
    private const string Python = "/usr/bin/python3";

    /// <summary>Returns null when the checker accepts the file, else its message.</summary>
    public static string? Check(string path)
    {
        var start = new ProcessStartInfo(Python)
        {
            RedirectStandardError = true,
            RedirectStandardOutput = true,
            ArgumentList = { "-c", "import onnx, sys; onnx.checker.check_model(onnx.load(sys.argv[1]), full_check=True)", path },
        };
        using var process = Process.Start(start) ?? throw new InvalidOperationException($"cannot start {Python}");
        string error = process.StandardError.ReadToEnd();
        process.WaitForExit();
        if (error.Contains("No module named 'onnx'", StringComparison.Ordinal))
            throw new InvalidOperationException("python3-onnx is not installed and the build could not install it (needs root and apt): apt-get install -y python3-onnx");
        return process.ExitCode == 0 ? null : error.Trim();
    }

    public static void AssertAccepts(string path)
    {
        var problem = Check(path);
        Assert.True(problem is null, $"onnx.checker rejected {Path.GetFileName(path)}: {problem}");
    }
}
