using System.Globalization;
using OcrForge.Data;
using OcrForge.Reports;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>What <c>data show</c> draws: the tables without <c>--json</c>, and the grid with <c>--out</c>.</summary>
public static class DataShowOutput
{
    public static void Render(DatasetSummary s, string? gridPath)
    {
        // The program's console: plain text and a wide table when piped (Program.cs).
        var console = AnsiConsole.Console;
        Cli.WarnSkipped(s.Problems, "all are listed by --json");

        var overview = new Table().Title("[bold]dataset[/]").HideHeaders().AddColumns("", "");
        overview.AddRow("source", Markup.Escape(s.Source));
        overview.AddRow("format", s.Format);
        overview.AddRow("images", $"{s.Decoded} decoded of {s.Files} files ({s.Problems.Count} problems)");
        overview.AddRow(s.IsClassification ? "classes" : "symbols", Count(s.Classes));
        if (!s.IsClassification) overview.AddRow("distinct labels", Count(s.DistinctLabels));
        overview.AddRow("charset", Markup.Escape(s.Charset));
        overview.AddRow("pixels (0–1)", $"mean {s.PixelMean:F3}, std {s.PixelStd:F3}");
        overview.AddRow("listing", $"{s.ListSeconds:F2} s");
        overview.AddRow("reading + decoding",
            $"{s.DecodeSeconds:F2} s, {s.ImagesPerSecond:F0} images/s on {s.Threads} threads");
        overview.AddRow("grid", gridPath is null ? "not drawn (--out grid.png draws one)" : Markup.Escape(gridPath));
        console.Write(overview);

        var lengths = new Table().Title("[bold]label length[/]").AddColumns("length", "images", "share");
        foreach (var (length, n) in s.LabelLengths) lengths.AddRow(Count(length), Count(n), Share(n, s.Decoded));
        var sizes = new Table().Title("[bold]image size[/]").AddColumns("WxH", "images", "share");
        foreach (var (size, n) in s.ImageSizes.Take(10)) sizes.AddRow(size, Count(n), Share(n, s.Decoded));
        if (s.ImageSizes.Count > 10)
        {
            int others = s.ImageSizes.Skip(10).Sum(kv => kv.Value);
            sizes.AddRow($"{s.ImageSizes.Count - 10} other sizes", Count(others), "");
        }
        console.Write(new Columns(lengths, sizes) { Expand = false });

        if (s.IsClassification)
        {
            var least = s.LabelCounts.MinBy(kv => kv.Value);
            var most = s.LabelCounts.MaxBy(kv => kv.Value);
            var counts = s.LabelCounts.Select(kv => new Markup($"[bold]{Markup.Escape(kv.Key)}[/] {kv.Value}"));
            console.Write(new Panel(new Columns(counts)).Header("images per class")
                .Collapse());
            console.MarkupLineInterpolated(
                $"fewest: {least.Key} ({least.Value} images), most: {most.Key} ({most.Value} images)");
        }
    }

    private static string Count(int n) => n.ToString(CultureInfo.InvariantCulture);

    private static string Share(int n, int total) => $"{100.0 * n / total:F1} %";

    /// <summary>The 4x4 grid, drawn through <paramref name="options"/> when given.</summary>
    public static void WriteGrid(string data, string gridPath, IReadOnlyList<Sample> samples, DatasetSummary summary,
        AugmentOptions? options, int seed)
    {
        var full = Path.GetFullPath(data);
        var datasetFolder = Directory.Exists(data) ? full : Path.GetDirectoryName(full)!;
        var inside = Path.TrimEndingDirectorySeparator(datasetFolder) + Path.DirectorySeparatorChar;
        if (Path.GetFullPath(gridPath).StartsWith(inside, StringComparison.Ordinal))
            Cli.Warn($"{gridPath} is inside the dataset folder, where it will be read as a labelled image next time; "
                + "pass --out elsewhere");
        var picked = SampleGrid.Pick(samples);
        if (options is not null) picked = AugmentationPreview.Apply(picked, options, seed);
        var name = Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(full));
        var kind = options == AugmentOptions.Characters ? "characters" : "text lines";
        var title = $"{name}: {summary.Decoded} images" + (options is null ? "" : $", augmented ({kind})");
        SampleGrid.Write(picked, gridPath, title: title);
    }
}
