using OcrForge.Tests.Cli;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class TuneSpaceCommandTests : IDisposable
{
    private readonly TempDir _dir = new();

    [Fact]
    public void Tune_space_writes_the_default_space_that_tune_run_uses_without_space()
    {
        var path = _dir.File("space.json");
        var (code, _, stderr) = CliProcess.Run("tune", "space", "--objective", "synthetic", "--json", "--out", path);
        Assert.True(code == 0, stderr);
        Assert.Equal(["x1", "x2"], SearchSpaceFile.Load(path).Parameters.Select(p => p.Name));

        // Without --space, the synthetic objective searches that space: Branin values, one per trial.
        var db = _dir.File("s.db");
        (code, _, stderr) = CliProcess.Run("tune", "run", "--storage", db, "--trials", "3");
        Assert.True(code == 0, stderr);
        var (_, csv, _) = CliProcess.Run("tune", "export", "--storage", db, "--csv");
        Assert.Equal(4, csv.TrimEnd().Split('\n').Length);
        Assert.Contains("param_x1,param_x2", csv);
    }

    [Fact]
    public void Tune_best_refuses_an_export_without_the_studys_data_or_for_the_synthetic_objective()
    {
        var db = _dir.File("s.db");
        Assert.Equal(0, CliProcess.Run("tune", "run", "--storage", db, "--trials", "1").Code);
        var (code, stdout, stderr) = CliProcess.Run("tune", "best", "--storage", db, "--objective", "ctc");
        Assert.Equal((2, "", "error: tune best: --objective and --data go together (the study's own)\n"), (code, stdout, stderr));
        (code, _, stderr) = CliProcess.Run("tune", "best", "--storage", db, "--spec", _dir.File("best.json"));
        Assert.Equal((2, "error: tune best --spec: needs the study's --objective and --data\n"), (code, stderr));
        (code, _, stderr) = CliProcess.Run("tune", "best", "--storage", db, "--objective", "synthetic", "--data", _dir.Path);
        Assert.Equal((2, "error: --objective synthetic: its trials train nothing; expected ctc or classify\n"), (code, stderr));
        // A synthetic study's parameters are not training parameters: no command is made up from them.
        (code, _, stderr) = CliProcess.Run("tune", "best", "--storage", db, "--objective", "ctc", "--data", _dir.Path);
        Assert.Equal(2, code);
        Assert.StartsWith("error: parameters.x1: not a ctc training parameter", stderr);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
