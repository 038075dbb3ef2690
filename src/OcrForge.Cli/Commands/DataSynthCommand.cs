using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OcrForge.Data;
using OcrForge.Inference;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge data synth</c>: synthetic captchas, characters, words or text lines, seeded.</summary>
public static class DataSynthCommand
{
    public static Command Create()
    {
        var kind = new Option<string>("--kind") { Description = "captcha: 5-symbol distorted text as LABEL.png; chars: one folder per class; words, lines: printed text of variable width, images/ + labels.csv", Required = true };
        kind.AcceptOnlyFromAmong("captcha", "chars", "words", "lines");
        var count = new Option<int>("--count") { Description = "Number of images", Required = true };
        var output = SharedOptions.Out("Output folder (created; must not already hold images).");
        output.HelpName = "DIR";
        var seed = SharedOptions.Seed("Random seed: the same seed writes byte-identical files.");
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
        var json = SharedOptions.Json("Print the summary as one JSON document.");

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
                if (parseResult.GetValue(json)) JsonOutput.Write(summary);
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
                JsonOutput.Write(new { kind = kindName, count = paths.Count, @out = dir, seed = parseResult.GetValue(seed),
                    width = w, height = h, seconds, images_per_second = paths.Count / Math.Max(seconds, 1e-9) });
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
