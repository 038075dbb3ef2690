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

    private static readonly Lazy<IReadOnlyList<string>> Scanned = new(() => Scan(Folders));
    private static readonly Lazy<IReadOnlyList<SKTypeface>> Loaded = new(Load);
    private static readonly Lazy<IReadOnlyList<SKTypeface>> LoadedLegacy = new(() =>
    {
        var legacy = LegacySelection(Files);
        // Elsewhere (no DejaVu or Liberation files) every font is the only sensible pool; numbers differ there anyway.
        return legacy.Count == 0
            ? All
            : [.. legacy.Select(f => SKTypeface.FromFile(f)).Where(t => t is not null).Select(t => t!)];
    });

    /// <summary>Every .ttf/.otf file in <see cref="Folders"/>, in ordinal path order.</summary>
    public static IReadOnlyList<string> Files => Scanned.Value;

    /// <summary>
    /// The 38 DejaVu and Liberation faces that were the only fonts installed when captchas and characters were first
    /// synthesised. Those kinds draw from these alone, so installing more fonts (words and lines need many) changes
    /// neither their images nor the recorded numbers of the demo trained on them.
    /// </summary>
    public static readonly IReadOnlyList<string> LegacyFileNames =
    [
        "DejaVuMathTeXGyre.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-BoldOblique.ttf", "DejaVuSans-ExtraLight.ttf",
        "DejaVuSans-Oblique.ttf", "DejaVuSans.ttf", "DejaVuSansCondensed-Bold.ttf",
        "DejaVuSansCondensed-BoldOblique.ttf", "DejaVuSansCondensed-Oblique.ttf", "DejaVuSansCondensed.ttf",
        "DejaVuSansMono-Bold.ttf", "DejaVuSansMono-BoldOblique.ttf", "DejaVuSansMono-Oblique.ttf", "DejaVuSansMono.ttf",
        "DejaVuSerif-Bold.ttf", "DejaVuSerif-BoldItalic.ttf", "DejaVuSerif-Italic.ttf", "DejaVuSerif.ttf",
        "DejaVuSerifCondensed-Bold.ttf", "DejaVuSerifCondensed-BoldItalic.ttf", "DejaVuSerifCondensed-Italic.ttf",
        "DejaVuSerifCondensed.ttf",
        "LiberationMono-Bold.ttf", "LiberationMono-BoldItalic.ttf", "LiberationMono-Italic.ttf",
        "LiberationMono-Regular.ttf", "LiberationSans-Bold.ttf", "LiberationSans-BoldItalic.ttf",
        "LiberationSans-Italic.ttf", "LiberationSans-Regular.ttf", "LiberationSansNarrow-Bold.ttf",
        "LiberationSansNarrow-BoldItalic.ttf", "LiberationSansNarrow-Italic.ttf", "LiberationSansNarrow-Regular.ttf",
        "LiberationSerif-Bold.ttf", "LiberationSerif-BoldItalic.ttf", "LiberationSerif-Italic.ttf",
        "LiberationSerif-Regular.ttf",
    ];

    /// <summary>The legacy faces (see <see cref="LegacyFileNames"/>) present on this machine, in path order, or every
    /// font where none is.</summary>
    public static IReadOnlyList<SKTypeface> Legacy => LoadedLegacy.Value;

    /// <summary>
    /// The files of <paramref name="files"/> (ordinal path order) that are legacy faces, the first of each name only,
    /// in ordinal order of their names, which was their path order when they were all there was (dejavu/ before
    /// liberation/). Other fonts, and second copies of these elsewhere, leave the selection and its order as they were.
    /// </summary>
    public static IReadOnlyList<string> LegacySelection(IEnumerable<string> files)
    {
        var names = new HashSet<string>(LegacyFileNames, StringComparer.Ordinal);
        return [.. files.Where(f => names.Contains(Path.GetFileName(f))).DistinctBy(Path.GetFileName)
            .OrderBy(Path.GetFileName, StringComparer.Ordinal)];
    }

    /// <summary>The .ttf/.otf files under <paramref name="folders"/> (recursively), in ordinal path order.</summary>
    public static IReadOnlyList<string> Scan(IEnumerable<string> folders) =>
        [.. folders.Where(d => d.Length > 0 && Directory.Exists(d)).Distinct()
            .SelectMany(d => Directory.EnumerateFiles(d, "*.*", SearchOption.AllDirectories))
            .Where(f => f.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase)
                || f.EndsWith(".otf", StringComparison.OrdinalIgnoreCase))
            .Order(StringComparer.Ordinal)];

    /// <summary>Every loadable font, in path order so that a seed picks the same font on every run.</summary>
    public static IReadOnlyList<SKTypeface> All => Loaded.Value;

    /// <summary>A plain upright sans face for captions (DejaVu Sans where present), from the legacy faces: loading
    /// every font for a caption would be waste.</summary>
    public static SKTypeface Caption =>
        Legacy.FirstOrDefault(f => f.FamilyName == "DejaVu Sans" && f.FontWeight == (int)SKFontStyleWeight.Normal
            && f.FontSlant == SKFontStyleSlant.Upright)
        ?? Legacy.FirstOrDefault(f => f.FontWeight == (int)SKFontStyleWeight.Normal
            && f.FontSlant == SKFontStyleSlant.Upright && !f.IsFixedPitch)
        ?? Legacy[0];

    private static IReadOnlyList<SKTypeface> Load()
    {
        // A lambda, not the method group: Select's (item, index) overload would bind FromFile(path, faceIndex).
        var fonts = Files.Select(f => SKTypeface.FromFile(f)).Where(t => t is not null).Select(t => t!).ToList();
        return fonts.Count > 0 ? fonts
            : throw new OcrForgeException(
                $"no .ttf/.otf fonts in {string.Join(", ", Folders.Where(d => d.Length > 0))}; "
                + "install some (e.g. apt-get install fonts-dejavu-core)");
    }
}
