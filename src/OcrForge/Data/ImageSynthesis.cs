using System.Diagnostics;
using System.Globalization;
using OcrForge.Inference;

namespace OcrForge.Data;

/// <summary>
/// What <see cref="ImageSynthesis.Write"/> wrote (the <c>data synth --json</c> document of captchas and characters).
/// </summary>
public sealed record ImageSynthSummary(string Kind, int Count, string Out, int Seed, int Width, int Height,
    double Seconds, double ImagesPerSecond);

/// <summary>
/// Synthetic captchas (<c>LABEL.png</c>) or characters (one folder per class) into a new folder, timed: the fixed-size
/// kinds of <c>data synth</c>; words and lines are <see cref="TextSynthesis"/>.
/// </summary>
public static class ImageSynthesis
{
    /// <summary>
    /// A folder synthesis may write into: new, or holding no image. Adding to a folder of images would mix two sets
    /// and, with the same seed, overwrite files.
    /// </summary>
    public static void RequireImageFreeFolder(string dir)
    {
        if (File.Exists(dir))
            throw new OcrForgeException($"{dir}: is a file; --out names a folder");
        if (Directory.Exists(dir)
            && Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Any(DatasetReader.IsImage))
            throw new OcrForgeException($"{dir}: already holds images; synth writes into a new or image-free folder");
    }

    /// <param name="captcha">Captchas of <paramref name="length"/> symbols, else single characters.</param>
    /// <param name="size">WxH; default 200x50 for captchas, 32x32 for characters.</param>
    public static ImageSynthSummary Write(string dir, bool captcha, int count, int seed, int length = 5,
        string? charset = null, string? size = null)
    {
        RequireImageFreeFolder(dir);
        var (w, h) = ParseSize(size ?? (captcha ? "200x50" : "32x32"));
        var clock = Stopwatch.StartNew();
        var paths = captcha
            ? SyntheticData.WriteCaptchas(dir, count, seed, length, charset ?? SyntheticData.CaptchaCharset, w, h)
            : SyntheticData.WriteCharacters(dir, count, seed, charset ?? SyntheticData.CharactersCharset, w, h);
        double seconds = clock.Elapsed.TotalSeconds;
        return new ImageSynthSummary(captcha ? "captcha" : "chars", paths.Count, dir, seed, w, h, seconds,
            paths.Count / Math.Max(seconds, 1e-9));
    }

    public static (int Width, int Height) ParseSize(string text)
    {
        var parts = text.ToLowerInvariant().Split('x');
        if (parts.Length == 2 && int.TryParse(parts[0], NumberStyles.None, CultureInfo.InvariantCulture, out int w)
            && int.TryParse(parts[1], NumberStyles.None, CultureInfo.InvariantCulture, out int h))
            return (w, h);
        throw new OcrForgeException($"--size {text}: expected WIDTHxHEIGHT, e.g. 200x50");
    }
}
