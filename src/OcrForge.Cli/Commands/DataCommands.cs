using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using OcrForge.Data;
using OcrForge.Inference;
using OcrForge.Reports;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

public static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Inspect and synthesise datasets.");
        data.Subcommands.Add(Show());
        data.Subcommands.Add(Synth());
        return data;
    }

    /// <summary>Problems printed one per line before the rest are summarised (all of them are in --json).</summary>

    public static Option<DatasetFormat> FormatOption() => new("--format")
    {
        Description = "Dataset layout (auto detects it from the folder's shape)",
        HelpName = "auto|filename|chars74k|folders|csv",
        DefaultValueFactory = _ => DatasetFormat.Auto,
        CustomParser = result =>
        {
            var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "auto";
            if (Enum.TryParse<DatasetFormat>(text, ignoreCase: true, out var format) && !int.TryParse(text, out _)) return format;
            result.AddError($"--format {text}: expected auto, filename, chars74k, folders or csv");
            return DatasetFormat.Auto;
        },
    };

    private static Command Show()
    {
        var dir = new Argument<string>("DIR") { Description = "Dataset folder (or .csv manifest)" };
        var format = FormatOption();
        var grid = new Option<string?>("--out") { HelpName = "grid.png", Description = "Where to write the 4x4 grid of labelled samples (none without it: no command writes files it was not asked for)" };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON instead of tables" };
        var charset = new Option<string?>("--charset") { Description = "Report labels with symbols outside this charset and leave them out" };
        var augment = new Option<string>("--augment") { Description = "Draw the grid through training augmentation, to see what the model will see", DefaultValueFactory = _ => "none" };
        augment.AcceptOnlyFromAmong("none", "characters", "text-lines");
        var seed = new Option<int>("--seed") { Description = "Seed of the augmentation in the grid", DefaultValueFactory = _ => 42 };

        var command = new Command("show", "Count, describe and picture a dataset; unreadable files are listed and skipped.") { dir, format, grid, json, charset, augment, seed };
        command.SetAction(parseResult => Cli.Run(() =>
        {
            var path = parseResult.GetValue(dir)!;
            var clock = Stopwatch.StartNew();
            var dataset = DatasetReader.Read(path, parseResult.GetValue(format));
            if (parseResult.GetValue(charset) is string symbols) dataset = dataset.RestrictTo(symbols);
            var listTime = clock.Elapsed;

            clock.Restart();
            var decoded = DatasetDecoder.Decode(dataset);
            var summary = DatasetSummary.Compute(dataset, decoded, clock.Elapsed, listTime);

            var name = Path.GetFileNameWithoutExtension(Path.TrimEndingDirectorySeparator(Path.GetFullPath(path)));
            var gridPath = parseResult.GetValue(grid);
            var picked = SampleGrid.Pick(decoded.Samples);
            var augmentation = parseResult.GetValue(augment) switch
            {
                "characters" => AugmentOptions.Characters,
                "text-lines" => AugmentOptions.TextLines,
                _ => null,
            };
            if (augmentation is not null)
            {
                var rng = new Random(parseResult.GetValue(seed));
                var augmenter = new Augmenter(augmentation);
                picked = [.. picked.Select(p => p with { Image = augmenter.Apply(p.Image, rng) })];
            }
            var datasetFolder = Directory.Exists(path) ? Path.GetFullPath(path) : Path.GetDirectoryName(Path.GetFullPath(path))!;
            if (gridPath is not null && Path.GetFullPath(gridPath).StartsWith(Path.TrimEndingDirectorySeparator(datasetFolder) + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                // stderr, so that --json output on stdout stays parseable.
                Console.Error.WriteLine($"warning: {gridPath} is inside the dataset folder, where it will be read as a labelled image next time; pass --out elsewhere");
            var title = $"{name}: {summary.Decoded} images" + (augmentation is null ? "" : $", augmented ({parseResult.GetValue(augment)})");
            if (gridPath is not null) SampleGrid.Write(picked, gridPath, title: title);

            if (parseResult.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(new { summary, grid = gridPath }, JsonOptions));
            else Render(summary, gridPath);
            return Cli.Ok;
        }));
        return command;
    }

    // snake_case like every other --json output (eval, bench) and the model manifest.
    private static readonly JsonSerializerOptions JsonOptions = new() { WriteIndented = true, PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower };

    private static void Render(DatasetSummary s, string? gridPath)
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

    private static Command Synth()
    {
        var kind = new Option<string>("--kind") { Description = "captcha: 5-symbol distorted text as LABEL.png; chars: one folder per class; words, lines: printed text of variable width, images/ + labels.csv", Required = true };
        kind.AcceptOnlyFromAmong("captcha", "chars", "words", "lines");
        var count = new Option<int>("--count") { Description = "Number of images", Required = true };
        var output = new Option<string>("--out") { HelpName = "DIR", Description = "Output folder (created; must not already hold images)", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed writes byte-identical files", DefaultValueFactory = _ => 42 };
        var length = new Option<int>("--length") { Description = "Symbols per captcha", DefaultValueFactory = _ => 5 };
        var charset = new Option<string?>("--charset") { Description = $"Symbols to draw (default captcha: {SyntheticData.CaptchaCharset}; chars: {SyntheticData.CharactersCharset}; words and lines: letters, digits and .,'-\"$%:!?()&/, lines adding the space)" };
        var size = new Option<string?>("--size") { HelpName = "WxH", Description = "Image size WxH (default captcha: 200x50; chars: 32x32)" };
        var height = new Option<int?>("--height") { Description = "Words and lines: image height in pixels; the width follows the text (default 32, held-out set 48)" };
        var maxWidth = new Option<int?>("--max-width") { Description = "Words and lines: widest image; longer text is drawn again shorter, then narrowed (default 25 × height)" };
        var words = new Option<string?>("--words") { HelpName = "FILE", Description = $"Words and lines: word list, one a line (default {TextSynthesis.DefaultWordList}, Debian's wamerican)" };
        var fonts = new Option<string?>("--fonts") { HelpName = "LIST", Description = "Words and lines: comma-separated font families or .ttf/.otf files, replacing the font set's fonts" };
        var fontSet = new Option<FontSet>("--font-set")
        {
            Description = "Words and lines: train, or heldout (fonts and distortions training never uses, 48 px high, for fair comparisons)",
            HelpName = "train|heldout",
            DefaultValueFactory = _ => FontSet.Train,
            CustomParser = result =>
            {
                var text = result.Tokens.Count > 0 ? result.Tokens[0].Value : "train";
                if (Enum.TryParse<FontSet>(text, ignoreCase: true, out var set) && !int.TryParse(text, out _)) return set;
                result.AddError($"--font-set {text}: expected train or heldout");
                return FontSet.Train;
            },
        };
        var json = new Option<bool>("--json") { Description = "Print the summary as JSON" };

        var command = new Command("synth", "Draw synthetic captchas, characters, words or text lines with the installed fonts.")
            { kind, count, output, seed, length, charset, size, height, maxWidth, words, fonts, fontSet, json };
        command.SetAction(parseResult => Cli.Run(() =>
        {
            var dir = parseResult.GetValue(output)!;
            var kindName = parseResult.GetValue(kind)!;
            bool text = kindName is "words" or "lines";
            foreach (var option in new Option[] { length, size })
                RefuseUnlessKind(parseResult, option, !text, "captcha and chars");
            foreach (var option in new Option[] { height, maxWidth, words, fonts, fontSet })
                RefuseUnlessKind(parseResult, option, text, "words and lines");
            if (File.Exists(dir))
                throw new OcrForgeException($"{dir}: is a file; --out names a folder");
            if (Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Any(DatasetReader.IsImage))
                throw new OcrForgeException($"{dir}: already holds images; synth writes into a new or image-free folder");

            if (text)
            {
                var summary = TextSynthesis.Write(dir, new TextSynthOptions
                {
                    Kind = kindName == "words" ? TextKind.Words : TextKind.Lines,
                    Count = parseResult.GetValue(count),
                    Seed = parseResult.GetValue(seed),
                    FontSet = parseResult.GetValue(fontSet),
                    Fonts = parseResult.GetValue(fonts)?.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    Height = parseResult.GetValue(height),
                    MaxWidth = parseResult.GetValue(maxWidth),
                    Charset = parseResult.GetValue(charset),
                    WordsFile = parseResult.GetValue(words),
                });
                if (parseResult.GetValue(json)) Console.WriteLine(JsonSerializer.Serialize(summary, JsonOptions));
                else Console.WriteLine($"wrote {summary.Count} {summary.Kind} ({summary.FontSet} set, {summary.Fonts.Count} fonts, {summary.Height} px high, "
                    + $"{summary.WidthMin}–{summary.WidthMax} px wide) to {summary.Manifest} in {summary.Seconds:F1} s ({summary.ImagesPerSecond:F0} images/s)");
                return Cli.Ok;
            }

            bool captcha = kindName == "captcha";
            var (w, h) = ParseSize(parseResult.GetValue(size) ?? (captcha ? "200x50" : "32x32"));
            var clock = Stopwatch.StartNew();
            int n = parseResult.GetValue(count);
            var paths = captcha
                ? SyntheticData.WriteCaptchas(dir, n, parseResult.GetValue(seed), parseResult.GetValue(length),
                    parseResult.GetValue(charset) ?? SyntheticData.CaptchaCharset, w, h)
                : SyntheticData.WriteCharacters(dir, n, parseResult.GetValue(seed),
                    parseResult.GetValue(charset) ?? SyntheticData.CharactersCharset, w, h);
            var seconds = clock.Elapsed.TotalSeconds;
            if (parseResult.GetValue(json))
                Console.WriteLine(JsonSerializer.Serialize(new { kind = kindName, count = paths.Count, @out = dir, seed = parseResult.GetValue(seed),
                    width = w, height = h, seconds, images_per_second = paths.Count / Math.Max(seconds, 1e-9) }, JsonOptions));
            else
                Console.WriteLine($"wrote {paths.Count} {(captcha ? "captchas" : "character images")} ({w}x{h}) to {dir} in {seconds:F1} s ({paths.Count / Math.Max(seconds, 1e-9):F0} images/s)");
            return Cli.Ok;
        }));
        return command;
    }

    private static void RefuseUnlessKind(ParseResult parse, Option option, bool applies, string kinds)
    {
        if (!applies && parse.GetResult(option) is { Implicit: false })
            throw new OcrForgeException($"{option.Name}: applies to --kind {kinds} only");
    }

    internal static (int Width, int Height) ParseSize(string text)
    {
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h))
            return (w, h);
        throw new OcrForgeException($"--size {text}: expected WIDTHxHEIGHT, e.g. 200x50");
    }
}
