using System.Text.Json;
using OcrForge.Tests.Cli;

namespace OcrForge.Tests.Data;

/// <summary>Runs the built `ocrforge` binary, so exit codes and stderr are exactly what a user sees.</summary>
public class DataCommandsTests
{
    [Fact]
    public void Show_lists_broken_files_keeps_going_and_writes_the_grid()
    {
        using var dir = new TempDir();
        var data = Directory.CreateDirectory(dir.File("data")).FullName;
        for (int i = 0; i < 5; i++) DataFiles.Png(Path.Combine(data, $"ab{i}.png"), mark: i);
        var broken = DataFiles.TruncatedPng(Path.Combine(data, "zz.png"));

        var (code, stdout, _) = Ocrforge("data", "show", "--data", data, "--out", dir.File("grid.png"), "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        var summary = json.RootElement.GetProperty("summary");
        Assert.Equal(6, summary.GetProperty("files").GetInt32());
        Assert.Equal(5, summary.GetProperty("decoded").GetInt32());
        Assert.Equal("01234ab", summary.GetProperty("charset").GetString());
        Assert.Equal(broken, summary.GetProperty("problems")[0].GetProperty("path").GetString());
        Assert.True(summary.GetProperty("images_per_second").GetDouble() > 0);
        Assert.True(File.Exists(dir.File("grid.png")));
    }

    [Fact]
    public void Show_prints_tables_with_the_counts_and_warns_about_each_problem()
    {
        using var dir = new TempDir();
        DataFiles.Png(dir.File("ab.png"));
        DataFiles.Empty(dir.File("cd.png"));

        var (code, stdout, stderr) = Ocrforge("data", "show", "--data", dir.Path, "--out", dir.File("g.png"));

        Assert.Equal(0, code);
        // Problems go to stderr, so piped stdout (tables, JSON) stays clean.
        Assert.Contains($"warning: {dir.File("cd.png")}: empty file", stderr);
        Assert.Matches(@"images\s+│ 1 decoded of 2 files \(1 problems\)", stdout);
        Assert.Matches(@"symbols\s+│ 2\b", stdout);
    }

    [Fact]
    public void Show_can_draw_the_grid_through_augmentation_reproducibly()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 4; i++) DataFiles.Png(Path.Combine(dir.Path, "data", $"x{i}.png"), 40, 20, mark: i);
        string[] show = ["data", "show", "--data", Path.Combine(dir.Path, "data"), "--json"];

        Ocrforge([.. show, "--out", dir.File("plain.png")]);
        Ocrforge([.. show, "--out", dir.File("aug1.png"), "--augment", "--seed", "1"]);
        Ocrforge([.. show, "--out", dir.File("aug1-again.png"), "--augment", "true", "--seed", "1"]);
        Ocrforge([.. show, "--out", dir.File("aug2.png"), "--augment", "--seed", "2"]);

        byte[] Pixels(string name) => OcrForge.Inference.Imaging.ImageDecoder.DecodeFile(dir.File(name)).Pixels;
        Assert.Equal(Pixels("aug1.png"), Pixels("aug1-again.png"));
        Assert.NotEqual(Pixels("plain.png"), Pixels("aug1.png"));
        Assert.NotEqual(Pixels("aug1.png"), Pixels("aug2.png"));
    }

    [Fact]
    public void A_grid_written_into_the_dataset_folder_is_warned_about_on_stderr()
    {
        using var dir = new TempDir();
        DataFiles.Png(dir.File("ab.png"));

        var (code, stdout, stderr) = Ocrforge("data", "show", "--data", dir.Path, "--json", "--out", dir.File("grid.png"));

        Assert.Equal(0, code);
        Assert.Equal($"warning: {dir.File("grid.png")} is inside the dataset folder, where it will be read as a labelled image next time; pass --out elsewhere", stderr.TrimEnd());
        using var json = JsonDocument.Parse(stdout);
    }

    public static TheoryData<string[], string> BadInput => new()
    {
        { ["data", "show", "--data", "/nonexistent/x"], "error: /nonexistent/x: no such folder or file" },
        { ["data", "shwo", "/tmp"], "error: Unrecognized command or argument 'shwo'. (see 'ocrforge data --help')" },
        { ["data", "show", "--data", "{empty}", "--jsno"], "error: Unrecognized command or argument '--jsno'. (see 'ocrforge data show --help')" },
        { ["data", "show", "--data", "{empty}"], "error: {empty}: empty folder" },
        { ["data", "show", "--data", "{ambiguous}"], "error: {ambiguous}: ambiguous layout (images and sub-folders side by side); pass --format filename or --format folders" },
        { ["data", "show", "--data", "{broken}"], "error: {broken}: none of the 1 images could be decoded (first: {broken}/x.png: empty file)" },
        { ["data", "show", "--data", "{ambiguous}", "--format", "folders", "--charset", "xyz"], "error: {ambiguous}: no label fits the charset \"xyz\" (first: {ambiguous}/a/1.png: label \"a\" has 'a', which is not in the charset \"xyz\")" },
        { ["data", "synth", "--kind", "captcha", "--count", "3", "--out", "{out}", "--size", "200by50"], "error: --size 200by50: expected WIDTHxHEIGHT, e.g. 200x50" },
        { ["data", "synth", "--kind", "captcha", "--count", "3", "--out", "{out}", "--charset", "a/b"], "error: --charset: '/' (U+002F) cannot be part of a file name label" },
        { ["data", "synth", "--kind", "chars", "--count", "3", "--out", "{ambiguous}/a.png"], "error: {ambiguous}/a.png: is a file; --out names a folder" },
        { ["data", "synth", "--kind", "chars", "--count", "3", "--out", "{ambiguous}"], "error: {ambiguous}: already holds images; synth writes into a new or image-free folder" },
    };

    [Theory]
    [MemberData(nameof(BadInput))]
    public void Bad_input_is_one_line_on_stderr_naming_the_problem_with_exit_code_2(string[] args, string expected)
    {
        using var dir = new TempDir();
        var folders = new Dictionary<string, string>
        {
            ["{empty}"] = Directory.CreateDirectory(dir.File("empty")).FullName,
            ["{ambiguous}"] = Directory.CreateDirectory(dir.File("ambiguous")).FullName,
            ["{broken}"] = Directory.CreateDirectory(dir.File("broken")).FullName,
            ["{out}"] = dir.File("out"),
        };
        DataFiles.Png(Path.Combine(folders["{ambiguous}"], "a.png"));
        DataFiles.Png(Path.Combine(folders["{ambiguous}"], "a", "1.png"));
        DataFiles.Empty(Path.Combine(folders["{broken}"], "x.png"));
        string Fill(string s) => folders.Aggregate(s, (acc, kv) => acc.Replace(kv.Key, kv.Value));

        var (code, stdout, stderr) = Ocrforge([.. args.Select(Fill)]);

        Assert.Equal(2, code);
        Assert.Equal(Fill(expected), stderr.TrimEnd());
        Assert.DoesNotContain("   at ", stdout + stderr);
    }

    [Fact]
    public void Synth_writes_the_requested_captchas_that_show_then_reads()
    {
        using var dir = new TempDir();

        var (code, stdout, stderr) = Ocrforge("data", "synth", "--kind", "captcha", "--count", "25", "--out", dir.File("c"), "--seed", "3", "--size", "160x40");
        var (showCode, shown, _) = Ocrforge("data", "show", "--data", dir.File("c"), "--json", "--out", dir.File("g.png"));

        Assert.True(code == 0, stderr);
        Assert.Contains("wrote 25 captchas (160x40)", stdout);
        Assert.Equal(0, showCode);
        using var json = JsonDocument.Parse(shown);
        Assert.Equal(25, json.RootElement.GetProperty("summary").GetProperty("decoded").GetInt32());
        Assert.Equal("160x40", json.RootElement.GetProperty("summary").GetProperty("image_sizes").EnumerateObject().Single().Name);
    }

    [Fact]
    public void Show_without_out_writes_no_file()
    {
        using var dir = new TempDir();
        var data = Directory.CreateDirectory(dir.File("data")).FullName;
        for (int i = 0; i < 3; i++) DataFiles.Png(Path.Combine(data, $"ab{i}.png"), mark: i);
        var before = Directory.GetFiles(Directory.GetCurrentDirectory()).Length;

        var (code, stdout, _) = Ocrforge("data", "show", "--data", data, "--json");

        Assert.Equal(0, code);
        using var json = JsonDocument.Parse(stdout);
        Assert.Equal(JsonValueKind.Null, json.RootElement.GetProperty("grid").ValueKind);
        Assert.Equal(3, Directory.GetFiles(data).Length);
        Assert.Equal(before, Directory.GetFiles(Directory.GetCurrentDirectory()).Length);
        Assert.False(File.Exists(Path.Combine(Directory.GetCurrentDirectory(), "data-samples.png")));
    }

    [Fact]
    public void The_old_spellings_still_work_with_a_one_line_deprecation_warning()
    {
        using var dir = new TempDir();
        for (int i = 0; i < 3; i++) DataFiles.Png(Path.Combine(dir.Path, "data", $"x{i}.png"), 40, 20, mark: i);
        var data = Path.Combine(dir.Path, "data");

        // The folder as a positional argument, and --augment naming the kind, as before this release.
        var (code, stdout, stderr) = Ocrforge("data", "show", data, "--json", "--augment", "characters", "--out", dir.File("old.png"));
        var (newCode, _, newStderr) = Ocrforge("data", "show", "--data", data, "--json", "--augment", "--out", dir.File("new.png"));

        Assert.True(code == 0, stderr);
        Assert.Equal(3, JsonDocument.Parse(stdout).RootElement.GetProperty("summary").GetProperty("decoded").GetInt32());
        var warnings = stderr.TrimEnd().Split('\n');
        Assert.Equal(2, warnings.Length);
        Assert.Equal($"warning: data show {data} is deprecated and will be removed in the next release; use data show --data {data}", warnings[0]);
        Assert.StartsWith("warning: --augment characters is deprecated", warnings[1]);
        Assert.True(newCode == 0, newStderr);
        Assert.Equal("", newStderr);
        Assert.True(File.Exists(dir.File("old.png")) && File.Exists(dir.File("new.png")));
        // Both the folder and --data is ambiguous: refused.
        var (both, _, bothError) = Ocrforge("data", "show", data, "--data", data);
        Assert.Equal(2, both);
        Assert.Equal($"error: data show: give the folder once, as --data {data}", bothError.TrimEnd());
    }

    private static (int Code, string Stdout, string Stderr) Ocrforge(params string[] args) => CliProcess.Run(args);
}
