using OcrForge.Inference;
using SkiaSharp;

namespace OcrForge.Data;

/// <summary>
/// The .ttf/.otf fonts on this machine. SkiaSharp's NoDependencies native build has no fontconfig (its default
/// typeface draws nothing), so we scan the usual font folders ourselves and load each file.
/// </summary>
public static class InstalledFonts
{
    public static readonly IReadOnlyList<string> Folders =
    [
        "/usr/share/fonts", "/usr/local/share/fonts",
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".fonts"),
        Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".local", "share", "fonts"),
        "/Library/Fonts", "/System/Library/Fonts",
        Environment.GetFolderPath(Environment.SpecialFolder.Fonts),
    ];

    private static readonly Lazy<IReadOnlyList<SKTypeface>> Loaded = new(Load);

    /// <summary>Every loadable font, in path order so that a seed picks the same font on every run.</summary>
    public static IReadOnlyList<SKTypeface> All => Loaded.Value;

    /// <summary>A plain upright sans face for captions (DejaVu Sans where present).</summary>
    public static SKTypeface Caption =>
        All.FirstOrDefault(f => f.FamilyName == "DejaVu Sans" && f.FontWeight == (int)SKFontStyleWeight.Normal && f.FontSlant == SKFontStyleSlant.Upright)
        ?? All.FirstOrDefault(f => f.FontWeight == (int)SKFontStyleWeight.Normal && f.FontSlant == SKFontStyleSlant.Upright && !f.IsFixedPitch)
        ?? All[0];

    private static IReadOnlyList<SKTypeface> Load()
    {
        var files = Folders.Where(d => d.Length > 0 && Directory.Exists(d)).Distinct()
            .SelectMany(d => Directory.EnumerateFiles(d, "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase) || f.EndsWith(".otf", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal);
        // A lambda, not the method group: Select's (item, index) overload would bind FromFile(path, faceIndex).
        var fonts = files.Select(f => SKTypeface.FromFile(f)).Where(t => t is not null).Select(t => t!).ToList();
        return fonts.Count > 0 ? fonts
            : throw new OcrForgeException($"no .ttf/.otf fonts in {string.Join(", ", Folders.Where(d => d.Length > 0))}; install some (e.g. apt-get install fonts-dejavu-core)");
    }
}
