using System.Text.Json;

namespace OcrForge.Tests.Cli;

public class DoctorCommandTests
{
    private static readonly TimeSpan Timeout = TimeSpan.FromMinutes(2);

    [Fact]
    public void Doctor_reports_versions_cpu_threads_and_the_self_check()
    {
        var (code, stdout, stderr) = CliProcess.RunWith(new Dictionary<string, string?> { ["OCRFORGE_ONEDNN"] = null },
            Timeout, "doctor", "--json");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var root = json.RootElement;
        Assert.Equal("0.107.0", root.GetProperty("versions").GetProperty("torchsharp").GetString());
        Assert.StartsWith("2.", root.GetProperty("versions").GetProperty("libtorch").GetString());
        Assert.Equal("1.31.1", root.GetProperty("versions").GetProperty("onnxruntime").GetString());
        Assert.NotEqual("unknown", root.GetProperty("machine").GetProperty("vendor").GetString());
        Assert.NotEqual("unknown", root.GetProperty("machine").GetProperty("family").GetString());
        Assert.Equal(Environment.ProcessorCount, root.GetProperty("threads").GetProperty("cores").GetInt32());
        var numerics = root.GetProperty("numerics");
        var check = numerics.GetProperty("self_check");
        Assert.True(check.GetProperty("ran").GetBoolean());
        Assert.True(check.GetProperty("cases").GetArrayLength() >= 8);
        // The one thing a user must never get: a failed check with oneDNN still on.
        Assert.True(check.GetProperty("passed").GetBoolean() || !numerics.GetProperty("one_dnn").GetBoolean(), stdout);
        // And oneDNN kept for recurrent layers only where that path's own cases passed.
        string use = numerics.GetProperty("one_dnn_use").GetString()!;
        bool recurrentPassed = check.GetProperty("cases").EnumerateArray()
            .Where(c => c.GetProperty("recurrent").GetBoolean())
            .All(c => c.GetProperty("relative_error").ValueKind == JsonValueKind.Number
                && c.GetProperty("relative_error").GetDouble() <= check.GetProperty("tolerance").GetDouble());
        Assert.Equal(check.GetProperty("passed").GetBoolean() ? "all" : recurrentPassed ? "recurrent" : "off", use);
    }

    [Fact]
    public void The_environment_variable_can_keep_onednn_for_recurrent_layers_only()
    {
        var (code, stdout, stderr) = CliProcess.RunWith(
            new Dictionary<string, string?> { ["OCRFORGE_ONEDNN"] = "recurrent" }, Timeout, "doctor", "--json");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var numerics = json.RootElement.GetProperty("numerics");
        Assert.Equal("recurrent", numerics.GetProperty("one_dnn_use").GetString());
        // Off process-wide between recurrent layers, read back from libtorch's own context.
        Assert.False(numerics.GetProperty("one_dnn").GetBoolean());
    }

    [Fact]
    public void The_environment_variable_forces_onednn_off_in_the_process_that_runs_models()
    {
        var (code, stdout, stderr) = CliProcess.RunWith(new Dictionary<string, string?> { ["OCRFORGE_ONEDNN"] = "off" },
            Timeout, "doctor", "--json");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        var numerics = json.RootElement.GetProperty("numerics");
        // Read back from libtorch's own context, not from our setting.
        Assert.False(numerics.GetProperty("one_dnn").GetBoolean());
        Assert.Contains("OCRFORGE_ONEDNN=off", numerics.GetProperty("one_dnn_reason").GetString());
        Assert.False(numerics.GetProperty("self_check").GetProperty("ran").GetBoolean());
    }

    [Theory]
    [InlineData(null, true)]   // unset: OcrForge turns libtorch's huge-page allocations on
    [InlineData("0", false)]   // the user's own setting wins
    public void Large_tensors_use_huge_pages_unless_the_user_said_otherwise(string? setting, bool expected)
    {
        var (code, stdout, stderr) = CliProcess.RunWith(new Dictionary<string, string?> { ["THP_MEM_ALLOC_ENABLE"] = setting },
            Timeout, "doctor", "--json");

        Assert.True(code == 0, stderr);
        using var json = JsonDocument.Parse(stdout);
        // Read through the C library's environment, which is what libtorch reads at its first allocation.
        Assert.Equal(expected, json.RootElement.GetProperty("numerics").GetProperty("huge_page_tensors").GetBoolean());
    }

    [Theory]
    [InlineData(null, null, "20000")]        // unset: OcrForge shortens libgomp's spinning
    [InlineData(null, "5000", "5000")]       // the user's own spin count wins
    [InlineData("PASSIVE", null, null)]      // so does a wait policy: libgomp derives the spin count from it
    public void OpenMp_threads_spin_briefly_unless_the_user_said_otherwise(string? policy, string? spin, string? expected)
    {
        // OMP_DISPLAY_ENV makes libgomp print the settings it read when libtorch loaded it: proof that the value
        // reached the library itself, not only our process's environment.
        var (code, stdout, stderr) = CliProcess.RunWith(new Dictionary<string, string?>
        {
            ["OMP_WAIT_POLICY"] = policy, ["GOMP_SPINCOUNT"] = spin, ["OMP_DISPLAY_ENV"] = "VERBOSE",
        }, Timeout, "doctor", "--json");

        Assert.True(code == 0, stderr);
        using var report = JsonDocument.Parse(stdout);
        var numerics = report.RootElement.GetProperty("numerics");
        if (expected is null)
        {
            Assert.Equal(JsonValueKind.Null, numerics.GetProperty("open_mp_spin_count").ValueKind);
            Assert.Contains($"OMP_WAIT_POLICY = '{policy}'", stderr);
            return;
        }
        Assert.Contains($"GOMP_SPINCOUNT = '{expected}'", stderr);
        Assert.Equal(expected, numerics.GetProperty("open_mp_spin_count").GetString());
    }

    [Fact]
    public void A_bad_value_of_the_environment_variable_is_one_line_naming_it()
    {
        var (code, _, stderr) = CliProcess.RunWith(new Dictionary<string, string?> { ["OCRFORGE_ONEDNN"] = "fast" },
            Timeout, "doctor");

        Assert.Equal(2, code);
        Assert.Equal("error: environment variable OCRFORGE_ONEDNN=fast: expected auto, on, recurrent or off", stderr.Trim());
    }

    [Fact]
    public void Redirected_tables_keep_every_column_without_a_terminal_width()
    {
        using var dir = new TempDir();
        // No COLUMNS and stdout a pipe: as `ocrforge data show DIR | cat`.
        var (code, stdout, stderr) = CliProcess.RunWith(new Dictionary<string, string?> { ["COLUMNS"] = null },
            Timeout, "data", "show", TestData.Captchas, "--out", dir.File("grid.png"));

        Assert.True(code == 0, stderr);
        var overview = stdout.Split('\n').Single(l => l.Contains("reading + decoding", StringComparison.Ordinal));
        // The row is whole: its value did not wrap onto a second line and the right border is there.
        Assert.Matches(@"│ reading \+ decoding\s+│ [\d.]+ s, \d+ images/s on \d+ threads\s+│$", overview.TrimEnd('\r'));
        Assert.DoesNotContain('\x1b', stdout);
    }
}
