using OcrForge.Tests.Cli;

namespace OcrForge.Tests.Tuning;

[Collection(PostgresCollection.Name)]
public sealed class TuneCommandTests(PostgresServer server) : IDisposable
{
    private readonly TempDir _dir = new();

    private string Space(string text = "parameters:\n  x1: { type: float, low: -5, high: 10 }\n  x2: { type: float, " +
        "low: 0, high: 15 }\n")
    {
        var path = _dir.File("space.yaml");
        File.WriteAllText(path, text);
        return path;
    }

    [Fact]
    public void A_malformed_space_is_one_line_exit_2_and_no_database_is_written()
    {
        var db = _dir.File("s.db");
        var (code, stdout, stderr) = CliProcess.Run("tune", "run", "--space",
            Space("parameters:\n  x1: { type: float, low: 3, high: 1 }\n"),
            "--storage", db, "--trials", "5");
        Assert.Equal(2, code);
        Assert.Equal("", stdout);
        Assert.Matches(@"^error: .*space\.yaml: parameters\.x1: empty range .*\n$", stderr);
        Assert.False(File.Exists(db));
    }

    [Theory]
    [InlineData("  preset: { type: categorical, choices: [captcha-crnn, nope] }\n",
        "error: parameters.preset: --preset nope: unknown preset (known: ")]
    [InlineData("  set.rnn_hiden: { type: int, low: 8, high: 64 }\n",
        "error: parameters.set.rnn_hiden: preset captcha-crnn has no setting 'rnn_hiden' (known: ")]
    public void A_space_naming_an_unknown_preset_or_setting_is_one_line_and_no_database_is_written(string line,
        string error)
    {
        var db = _dir.File("s.db");
        var (code, stdout, stderr) = CliProcess.Run("tune", "run", "--objective", "ctc", "--data", _dir.Path,
            "--space", Space("parameters:\n" + line), "--storage", db, "--trials", "1");
        Assert.Equal((2, ""), (code, stdout));
        Assert.StartsWith(error, stderr);
        Assert.Single(stderr.TrimEnd('\n').Split('\n'));
        Assert.False(File.Exists(db));
    }

    [Fact]
    public void A_wrong_password_is_one_line_exit_2_without_the_password()
    {
        var (code, _, stderr) = CliProcess.Run("tune", "run", "--space", Space(), "--storage", server.Url("not-it"),
            "--trials", "5");
        Assert.Equal(2, code);
        Assert.Matches(@"^error: --storage postgres://ocrforge@127\.0\.0\.1:\d+/postgres: password authentication " +
            @"failed[^\n]*\n$", stderr);
        Assert.DoesNotContain("not-it", stderr);
    }

    [Fact]
    public void Enqueued_values_run_first_and_status_best_and_export_read_the_study()
    {
        var db = _dir.File("s.db");
        // A new study needs its objective: it fixes the direction that later workers must share.
        var refused = CliProcess.Run("tune", "enqueue", "--space", Space(), "--storage", db, "--study", "b",
            "x1=3.14159", "x2=2.275");
        Assert.Equal((2, "error: study b: does not exist yet; give --objective (synthetic, ctc, classify) to create it\n"),
            (refused.Code, refused.Stderr));
        var (code, _, stderr) = CliProcess.Run("tune", "enqueue", "--space", Space(), "--storage", db, "--study", "b",
            "--objective", "synthetic", "x1=3.14159", "x2=2.275");
        Assert.True(code == 0, stderr);
        (code, _, stderr) = CliProcess.Run("tune", "run", "--space", Space(), "--storage", db, "--study", "b",
            "--trials", "12", "--seed", "3");
        Assert.True(code == 0, stderr);
        // (π, 2.275) is one of Branin's minima: the hand-picked trial is the best.
        var best = CliProcess.Run("tune", "best", "--storage", db, "--study", "b", "--json");
        var row = System.Text.Json.Nodes.JsonNode.Parse(best.Stdout)!;
        Assert.Equal(0, row["number"]!.GetValue<int>());
        Assert.Equal(0.3979, row["value"]!.GetValue<double>(), 3);
        var csv = CliProcess.Run("tune", "export", "--storage", db, "--study", "b",
            "--csv").Stdout.TrimEnd().Split('\n');
        Assert.Equal(13, csv.Length);
        Assert.StartsWith("number,state,value,value_se,duration_s,worker,threads,retries,failure,param_x1,param_x2,step_1,",
            csv[0]);
        var status = CliProcess.Run("tune", "status", "--storage", db, "--study", "b", "--json");
        Assert.Equal(12, System.Text.Json.Nodes.JsonNode.Parse(status.Stdout)!["trials"]!["complete"]!.GetValue<int>());
        var missing = CliProcess.Run("tune", "status", "--storage", _dir.File("none.db"));
        Assert.Equal((2, "error: --storage " + _dir.File("none.db") + ": no such study database\n"), (missing.Code,
            missing.Stderr));
    }

    [Fact]
    public void A_worker_joins_with_the_studys_objective_and_space_and_one_with_another_space_is_refused()
    {
        var db = _dir.File("s.db");
        var (code, _, stderr) = CliProcess.Run("tune", "run", "--objective", "synthetic:branin", "--space", Space(),
            "--storage", db, "--study", "d", "--trials", "3", "--epochs", "2", "--sampler", "random", "--seed", "5");
        Assert.True(code == 0, stderr);
        // Given nothing but the storage and the study, a worker runs the study's objective over its space.
        (code, _, stderr) = CliProcess.Run("tune", "run", "--storage", db, "--study", "d", "--trials", "5");
        Assert.True(code == 0, stderr);
        var export = System.Text.Json.Nodes.JsonNode.Parse(CliProcess.Run("tune", "export", "--storage", db, "--study",
            "d", "--json").Stdout)!;
        Assert.Equal(5, export["trials"]!.AsArray().Count);
        Assert.All(export["trials"]!.AsArray(), t => Assert.Equal(["x1", "x2"], t!["params"]!.AsObject()
            .Select(kv => kv.Key).Order()));
        var definition = export["definition"]!;
        Assert.Equal(("synthetic:branin", 2, "random", 5, "none", 1), (definition["objective"]!.GetValue<string>(),
            definition["epochs"]!.GetValue<int>(), definition["sampler"]!.GetValue<string>(),
            definition["seed"]!.GetValue<int>(), definition["pruner"]!.GetValue<string>(), definition["cv"]!.GetValue<int>()));
        Assert.Equal(-5, definition["space"]!["parameters"]!["x1"]!["low"]!.GetValue<double>());
        var status = System.Text.Json.Nodes.JsonNode.Parse(CliProcess.Run("tune", "status", "--storage", db, "--study",
            "d", "--json").Stdout)!;
        Assert.Equal(definition.ToJsonString(), status["definition"]!.ToJsonString());

        // A worker with another space, or another objective, is refused before it runs anything.
        var wider = CliProcess.Run("tune", "run", "--space", Space("parameters:\n  x1: { type: float, low: -5, high: 12 }\n" +
            "  x2: { type: float, low: 0, high: 15 }\n"), "--storage", db, "--study", "d", "--trials", "6");
        Assert.Equal(2, wider.Code);
        Assert.Matches(@"^error: study d: its space differs \(parameter x1: [^\n]*\n$", wider.Stderr);
        var other = CliProcess.Run("tune", "run", "--objective", "synthetic", "--storage", db, "--study", "d",
            "--trials", "6");
        Assert.Equal((2, "error: study d: its objective is synthetic:branin, not synthetic; use another " +
            "--study or the study's settings\n"), (other.Code, other.Stderr));
        Assert.Equal(5, System.Text.Json.Nodes.JsonNode.Parse(CliProcess.Run("tune", "status", "--storage", db, "--study",
            "d", "--json").Stdout)!["trials"]!["complete"]!.GetValue<int>());
    }

    [Fact]
    public void Tune_best_repeats_the_best_trial_from_the_studys_record_alone()
    {
        var images = Directory.CreateDirectory(_dir.File("lines")).FullName;
        foreach (var (sample, i) in OcrForge.Tests.Training.TinyText.Make(24, 5).Select((s, i) => (s, i)))
            OcrForge.Data.ImageWriter.WritePng(sample.Image, Path.Combine(images, $"{sample.Label}__{i}.png"));
        var space = Space("parameters:\n  lr: { type: float, low: 1.0e-3, high: 3.0e-2, log: true }\n" +
            "  set.height: { type: categorical, choices: [16] }\n  set.width: { type: categorical, choices: [64] }\n" +
            "  set.filters: { type: categorical, choices: [\"8,8,8\"] }\n  set.rnn_hidden: { type: categorical, choices: [8] }\n");
        var db = _dir.File("ctc.db");
        var (code, _, stderr) = CliProcess.Run(TimeSpan.FromMinutes(2), "tune", "run", "--objective", "ctc", "--data",
            images, "--space", space, "--storage", db, "--trials", "1", "--epochs", "1", "--seed", "4", "--threads", "1");
        Assert.True(code == 0, stderr);

        // No --objective, --data, --epochs or --seed: the study's record gives them.
        var best = CliProcess.Run("tune", "best", "--storage", db, "--json");
        Assert.True(best.Code == 0, best.Stderr);
        var line = System.Text.Json.Nodes.JsonNode.Parse(best.Stdout)!["command_line"]!.GetValue<string>();
        Assert.StartsWith($"ocrforge train ctc --data {images} ", line);
        Assert.Contains(" --epochs 1 ", line);
        Assert.Contains(" --seed 4 ", line);
    }

    public void Dispose()
    {
        Microsoft.Data.Sqlite.SqliteConnection.ClearAllPools();
        _dir.Dispose();
    }
}
