using System.CommandLine;
using OcrForge.Data;
using OcrForge.Inference;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge data synth</c>: synthetic captchas, characters, words or text lines, seeded.</summary>
public static class DataSynthCommand
{
    public static Command Create()
    {
        var kind = new Option<string>("--kind")
        {
            Description = "captcha: 5-symbol distorted text as LABEL.png; chars: one folder per class; words, lines: "
                + "printed text of variable width, images/ + labels.csv",
            Required = true,
        };
        kind.AcceptOnlyFromAmong("captcha", "chars", "words", "lines");
        var count = new Option<int>("--count") { Description = "Number of images", Required = true };
        var output = SharedOptions.Out("Output folder (created; must not already hold images).");
        output.HelpName = "DIR";
        var seed = SharedOptions.Seed("Random seed: the same seed writes byte-identical files.");
        var length = Described<int>("--length", "Symbols per captcha", 5);
        var charset = Described<string?>("--charset", "Symbols to draw (default captcha: "
            + $"{SyntheticData.CaptchaCharset}; chars: {SyntheticData.CharactersCharset}; words and lines: letters, "
            + "digits and .,'-\"$%:!?()&/, lines adding the space)");
        var size = Described<string?>("--size", "Image size WxH (default captcha: 200x50; chars: 32x32)",
            helpName: "WxH");
        var height = Described<int?>("--height",
            "Words and lines: image height in pixels; the width follows the text (default 32, held-out set 48)");
        var maxWidth = Described<int?>("--max-width",
            "Words and lines: widest image; longer text is drawn again shorter, then narrowed (default 25 × height)");
        var words = Described<string?>("--words", "Words and lines: word list, one a line (default "
            + $"{TextSynthesis.DefaultWordList}, Debian's wamerican)", helpName: "FILE");
        var fonts = Described<string?>("--fonts", "Words and lines: comma-separated font families or .ttf/.otf files, "
            + "replacing the font set's fonts", helpName: "LIST");
        var fontSet = FontSetOption();
        var json = SharedOptions.Json("Print the summary as one JSON document.");

        var command = new Command("synth",
            "Draw synthetic captchas, characters, words or text lines with the installed fonts.")
            { kind, count, output, seed, length, charset, size, height, maxWidth, words, fonts, fontSet, json };
        command.SetAction(parse => Cli.Run(() =>
        {
            var dir = parse.GetValue(output)!;
            var kindName = parse.GetValue(kind)!;
            bool text = kindName is "words" or "lines";
            foreach (var option in new Option[] { length, size })
                RefuseUnlessKind(parse, option, !text, "captcha and chars");
            foreach (var option in new Option[] { height, maxWidth, words, fonts, fontSet })
                RefuseUnlessKind(parse, option, text, "words and lines");
            ImageSynthesis.RequireImageFreeFolder(dir);

            if (text)
            {
                var summary = TextSynthesis.Write(dir, new TextSynthOptions
                {
                    Kind = kindName == "words" ? TextKind.Words : TextKind.Lines,
                    Count = parse.GetValue(count),
                    Seed = parse.GetValue(seed),
                    FontSet = parse.GetValue(fontSet),
                    Fonts = parse.GetValue(fonts)?.Split(',',
                        StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries),
                    Height = parse.GetValue(height),
                    MaxWidth = parse.GetValue(maxWidth),
                    Charset = parse.GetValue(charset),
                    WordsFile = parse.GetValue(words),
                });
                if (parse.GetValue(json)) JsonOutput.Write(summary);
                else Console.WriteLine($"wrote {summary.Count} {summary.Kind} ({summary.FontSet} set, "
                    + $"{summary.Fonts.Count} fonts, {summary.Height} px high, "
                    + $"{summary.WidthMin}–{summary.WidthMax} px wide) to {summary.Manifest} in {summary.Seconds:F1} s "
                    + $"({summary.ImagesPerSecond:F0} images/s)");
                return Cli.Ok;
            }

            bool captcha = kindName == "captcha";
            var s = ImageSynthesis.Write(dir, captcha, parse.GetValue(count), parse.GetValue(seed),
                parse.GetValue(length), parse.GetValue(charset), parse.GetValue(size));
            if (parse.GetValue(json)) JsonOutput.Write(s);
            else Console.WriteLine($"wrote {s.Count} {(captcha ? "captchas" : "character images")} "
                + $"({s.Width}x{s.Height}) to {dir} in {s.Seconds:F1} s ({s.ImagesPerSecond:F0} images/s)");
            return Cli.Ok;
        }));
        return command;
    }

    /// <summary>An option with a description, a help name and a default when there is one.</summary>
    private static Option<T> Described<T>(string name, string description, T fallback = default!,
        string? helpName = null)
    {
        var option = new Option<T>(name) { Description = description, HelpName = helpName };
        if (fallback is not null) option.DefaultValueFactory = _ => fallback;
        return option;
    }

    private static Option<FontSet> FontSetOption() => new("--font-set")
    {
        Description = "Words and lines: train, or heldout (fonts and distortions training never uses, 48 px high, "
            + "for fair comparisons)",
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

    private static void RefuseUnlessKind(ParseResult parse, Option option, bool applies, string kinds)
    {
        if (!applies && parse.GetResult(option) is { Implicit: false })
            throw new OcrForgeException($"{option.Name}: applies to --kind {kinds} only");
    }
}
