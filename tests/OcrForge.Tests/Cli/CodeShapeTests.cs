using System.Text.RegularExpressions;

namespace OcrForge.Tests.Cli;

/// <summary>
/// Commands stay thin (issue 12): a command file parses, calls the library and prints, so it fits in about 120 lines
/// of at most 120 characters, one type per file.
/// </summary>
public partial class CodeShapeTests
{
    private const int MaxLines = 120, MaxWidth = 120;

    [Fact]
    public void Every_command_file_is_short_narrow_and_holds_one_type()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src/OcrForge.Cli"));
        var files = Directory.EnumerateFiles(Path.Combine(root, "Commands"), "*.cs")
            .Append(Path.Combine(root, "Program.cs")).ToList();

        var wrong = new List<string>();
        foreach (var file in files)
        {
            var lines = File.ReadAllLines(file);
            var name = Path.GetFileName(file);
            if (lines.Length > MaxLines) wrong.Add($"{name}: {lines.Length} lines");
            wrong.AddRange(lines.Select((l, i) => (l, i)).Where(x => x.l.Length > MaxWidth)
                .Select(x => $"{name}:{x.i + 1}: {x.l.Length} characters"));
            int types = lines.Count(l => TopLevelType().IsMatch(l));
            if (types > 1) wrong.Add($"{name}: {types} types");
        }

        Assert.True(files.Count > 30, $"{files.Count} files under {root}");
        Assert.Empty(wrong);
    }

    // File-scoped namespaces: a top-level type starts at column 0.
    [GeneratedRegex(@"^(public |internal )?(static |sealed |abstract |partial )*(class|record|struct|interface|enum) ")]
    private static partial Regex TopLevelType();
}
