using System.Globalization;
using OcrForge.Data;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary>The tables of <c>data show</c> without <c>--json</c>.</summary>
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
        overview.AddRow(s.IsClassification ? "classes" : "symbols", s.Classes.ToString(CultureInfo.InvariantCulture));
        if (!s.IsClassification) overview.AddRow("distinct labels", s.DistinctLabels.ToString(CultureInfo.InvariantCulture));
        overview.AddRow("charset", Markup.Escape(s.Charset));
        overview.AddRow("pixels (0–1)", $"mean {s.PixelMean:F3}, std {s.PixelStd:F3}");
        overview.AddRow("listing", $"{s.ListSeconds:F2} s");
        overview.AddRow("reading + decoding", $"{s.DecodeSeconds:F2} s, {s.ImagesPerSecond:F0} images/s on {s.Threads} threads");
        overview.AddRow("grid", gridPath is null ? "not drawn (--out grid.png draws one)" : Markup.Escape(gridPath));
        console.Write(overview);

        var lengths = new Table().Title("[bold]label length[/]").AddColumns("length", "images", "share");
        foreach (var (length, n) in s.LabelLengths) lengths.AddRow(length.ToString(CultureInfo.InvariantCulture), n.ToString(CultureInfo.InvariantCulture), $"{100.0 * n / s.Decoded:F1} %");
        var sizes = new Table().Title("[bold]image size[/]").AddColumns("WxH", "images", "share");
        foreach (var (size, n) in s.ImageSizes.Take(10)) sizes.AddRow(size, n.ToString(CultureInfo.InvariantCulture), $"{100.0 * n / s.Decoded:F1} %");
        if (s.ImageSizes.Count > 10) sizes.AddRow($"{s.ImageSizes.Count - 10} other sizes", s.ImageSizes.Skip(10).Sum(kv => kv.Value).ToString(CultureInfo.InvariantCulture), "");
        console.Write(new Columns(lengths, sizes) { Expand = false });

        if (s.IsClassification)
        {
            var least = s.LabelCounts.MinBy(kv => kv.Value);
            var most = s.LabelCounts.MaxBy(kv => kv.Value);
            var counts = s.LabelCounts.Select(kv => new Markup($"[bold]{Markup.Escape(kv.Key)}[/] {kv.Value}"));
            console.Write(new Panel(new Columns(counts)).Header("images per class")
                .Collapse());
            console.MarkupLineInterpolated($"fewest: {least.Key} ({least.Value} images), most: {most.Key} ({most.Value} images)");
        }
    }
}
