namespace OcrForge.Tests;

/// <summary>
/// Issue 12: every line of src/ fits in 120 characters (.editorconfig's max_line_length), as the CLI commands also
/// do (Cli/CodeShapeTests). Characters, not bytes: comments hold –, × and γ.
/// </summary>
public class SourceWidthTests
{
    private const int MaxWidth = 120;

    [Fact]
    public void Every_source_line_is_at_most_120_characters()
    {
        var root = Path.GetFullPath(Path.Combine(AppContext.BaseDirectory, "../../../../../src"));
        var files = Directory.EnumerateFiles(root, "*.cs", SearchOption.AllDirectories)
            .Select(f => Path.GetRelativePath(root, f).Replace('\\', '/'))
            .Where(f => !f.Split('/').Any(part => part is "obj" or "bin"))
            .Order(StringComparer.Ordinal)
            .ToList();

        var wrong = files.SelectMany(file => File.ReadAllLines(Path.Combine(root, file))
                .Select((line, i) => (Line: i + 1, line.Length))
                .Where(x => x.Length > MaxWidth)
                .Select(x => $"{file}:{x.Line}: {x.Length} characters"))
            .ToList();

        Assert.True(files.Count > 150, $"{files.Count} .cs files under {root}");
        Assert.Empty(wrong);
    }
}
