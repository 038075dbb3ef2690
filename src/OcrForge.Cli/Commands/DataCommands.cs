using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using OcrForge.Data;
using OcrForge.Inference;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

public static class DataCommands
{
    public static Command Create()
    {
        var data = new Command("data", "Inspect and synthesise datasets.");
        data.Subcommands.Add(Synth());
        return data;
    }

    private static Command Synth()
    {
        var kind = new Option<string>("--kind") { Description = "captcha: 5-symbol distorted text as LABEL.png; chars: one folder per class", Required = true };
        kind.AcceptOnlyFromAmong("captcha", "chars");
        var count = new Option<int>("--count") { Description = "Number of images", Required = true };
        var output = new Option<string>("--out") { Description = "Output folder (created; must not already hold images)", Required = true };
        var seed = new Option<int>("--seed") { Description = "Random seed: the same seed writes byte-identical files", DefaultValueFactory = _ => 0 };
        var length = new Option<int>("--length") { Description = "Symbols per captcha", DefaultValueFactory = _ => 5 };
        var charset = new Option<string?>("--charset") { Description = $"Symbols to draw (default captcha: {SyntheticData.CaptchaCharset}; chars: {SyntheticData.CharactersCharset})" };
        var size = new Option<string?>("--size") { Description = "Image size WxH (default captcha: 200x50; chars: 32x32)" };

        var command = new Command("synth", "Draw synthetic captchas or characters with the installed fonts.") { kind, count, output, seed, length, charset, size };
        command.SetAction(parseResult => Cli.Run(() =>
        {
            var dir = parseResult.GetValue(output)!;
            bool captcha = parseResult.GetValue(kind) == "captcha";
            var (w, h) = ParseSize(parseResult.GetValue(size) ?? (captcha ? "200x50" : "32x32"));
            if (Directory.Exists(dir) && Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Any(DatasetReader.IsImage))
                throw new OcrForgeException($"{dir}: already holds images; synth writes into a new or image-free folder");

            var clock = Stopwatch.StartNew();
            int n = parseResult.GetValue(count);
            var paths = captcha
                ? SyntheticData.WriteCaptchas(dir, n, parseResult.GetValue(seed), parseResult.GetValue(length),
                    parseResult.GetValue(charset) ?? SyntheticData.CaptchaCharset, w, h)
                : SyntheticData.WriteCharacters(dir, n, parseResult.GetValue(seed),
                    parseResult.GetValue(charset) ?? SyntheticData.CharactersCharset, w, h);
            var seconds = clock.Elapsed.TotalSeconds;
            AnsiConsole.MarkupLineInterpolated(
                $"wrote [bold]{paths.Count}[/] {(captcha ? "captchas" : "character images")} ({w}x{h}) to {dir} in {seconds:F1} s ({paths.Count / Math.Max(seconds, 1e-9):F0} images/s)");
            return Cli.Ok;
        }));
        return command;
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
