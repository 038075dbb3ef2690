using CliHelpers = OcrForge.Cli.Commands.Cli;

namespace OcrForge.Tests.Cli;

public class SkippedFilesTests
{
    [Fact]
    public void Every_command_names_the_same_number_of_skipped_files_then_counts_the_rest()
    {
        var problems = Enumerable.Range(1, CliHelpers.SkippedShown + 3).Select(i => $"f{i}.png: not an image").ToList();

        var lines = CliHelpers.SkippedLines(problems, "all are listed by --json").ToList();

        Assert.Equal(CliHelpers.SkippedShown + 1, lines.Count);
        Assert.Equal("f1.png: not an image", lines[0]);
        Assert.Equal("… and 3 more skipped (all are listed by --json)", lines[^1]);
        Assert.Equal(2, CliHelpers.SkippedLines(problems.Take(2).ToList()).Count());
    }

    [Fact]
    public void No_command_keeps_its_own_count_of_skipped_files_to_show()
    {
        // The rule lives in CliHelpers.SkippedShown; a command that lists problems with its own Take(n) drifts from it.
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/OcrForge.Cli/Commands"));
        var offenders = Directory.EnumerateFiles(root, "*.cs").Where(f => Path.GetFileName(f) != "Cli.cs")
            .Where(f => File.ReadAllLines(f).Any(l => l.Contains("Problems.Take(") || l.Contains("problems.Take(")))
            .Select(Path.GetFileName).ToList();

        Assert.True(Directory.Exists(root), root);
        Assert.Empty(offenders);
    }
}
