using System.CommandLine;
using System.Diagnostics;
using OcrForge.Data;
using OcrForge.Inference;

namespace OcrForge.Cli.Commands;

/// <summary>
/// <c>ocrforge data show --data DIR</c>: counts, label lengths, sizes and problems of a dataset, and with
/// <c>--out</c> a 4x4 grid of labelled samples. It writes nothing it is not asked for.
/// </summary>
public static class DataShowCommand
{
    public static Command Create()
    {
        var data = SharedOptions.OptionalData("Dataset folder (or .csv manifest).");
        // The folder as a positional argument is the old spelling, kept for one release.
        var dir = new Argument<string?>("DIR")
        {
            Description = "Deprecated: use --data DIR.", Arity = ArgumentArity.ZeroOrOne, Hidden = true,
        };
        // With a free slot for it, a mistyped option (--jsno) would be taken for the folder.
        dir.Validators.Add(result =>
        {
            if (result.Tokens is [{ Value: var token }] && token.StartsWith('-'))
                result.AddError($"Unrecognized command or argument '{token}'.");
        });
        var format = SharedOptions.Format();
        var grid = SharedOptions.OptionalOut(
            "Where to write the 4x4 grid of labelled samples (without it no file is written).");
        grid.HelpName = "grid.png";
        var json = SharedOptions.Json("Print the summary as one JSON document instead of tables.");
        var charset = new Option<string?>("--charset")
        {
            Description = "Report labels with symbols outside this charset and leave them out",
        };
        var augment = AugmentOption();
        var seed = SharedOptions.Seed("Seed of the augmentation in the grid.");

        var command = new Command("show",
            "Count, describe and picture a dataset; unreadable files are listed and skipped.")
            { data, dir, format, grid, json, charset, augment, seed };
        command.SetAction(parse => Cli.Run(() =>
        {
            var path = DataPath(parse.GetValue(data), parse.GetValue(dir));
            var augmentKind = ReadAugment(parse.GetValue(augment));
            var clock = Stopwatch.StartNew();
            var dataset = DatasetReader.Read(path, parse.GetValue(format));
            if (parse.GetValue(charset) is string symbols) dataset = dataset.RestrictTo(symbols);
            var listTime = clock.Elapsed;

            clock.Restart();
            var decoded = DatasetDecoder.Decode(dataset);
            var summary = DatasetSummary.Compute(dataset, decoded, clock.Elapsed, listTime);

            var gridPath = parse.GetValue(grid);
            if (gridPath is not null)
                DataShowOutput.WriteGrid(path, gridPath, decoded.Samples, summary, Augmentation(augmentKind, summary),
                    parse.GetValue(seed));
            if (parse.GetValue(json)) JsonOutput.Write(new { summary, grid = gridPath });
            else DataShowOutput.Render(summary, gridPath);
            return Cli.Ok;
        }));
        return command;
    }

    private static string DataPath(string? data, string? positional)
    {
        if (positional is null) return data ?? throw new OcrForgeException("data show: --data DIR is required");
        if (data is not null) throw new OcrForgeException($"data show: give the folder once, as --data {data}");
        SharedOptions.WarnDeprecated($"data show {positional}", $"data show --data {positional}");
        return positional;
    }

    /// <summary><c>--augment</c> as in train, true or false; given alone, true.</summary>
    private static Option<string?> AugmentOption() => new("--augment")
    {
        Description = "Draw the grid through the augmentation training uses on this data "
            + "(characters for classes, text lines for text).",
        Arity = ArgumentArity.ZeroOrOne,
        HelpName = "true|false",
        CustomParser = result => result.Tokens.Count > 0 ? result.Tokens[0].Value : "true",
    };

    private enum AugmentKind { Off, ByData, Characters, TextLines }

    private static AugmentOptions? Augmentation(AugmentKind kind, DatasetSummary summary) => kind switch
    {
        AugmentKind.ByData => AugmentationPreview.For(summary.IsClassification),
        AugmentKind.Characters => AugmentOptions.Characters,
        AugmentKind.TextLines => AugmentOptions.TextLines,
        _ => null,
    };

    /// <summary>true, false, or one of the old values, which named the kind and keep working for one release.</summary>
    private static AugmentKind ReadAugment(string? value) => value switch
    {
        null or "false" => AugmentKind.Off,
        "true" => AugmentKind.ByData,
        "none" => Deprecated(value, "--augment false", AugmentKind.Off),
        "characters" => Deprecated(value, "--augment (the kind follows the data)", AugmentKind.Characters),
        "text-lines" => Deprecated(value, "--augment (the kind follows the data)", AugmentKind.TextLines),
        _ => throw new OcrForgeException($"--augment {value}: expected true or false"),
    };

    private static AugmentKind Deprecated(string value, string replacement, AugmentKind kind)
    {
        SharedOptions.WarnDeprecated($"--augment {value}", replacement);
        return kind;
    }
}
