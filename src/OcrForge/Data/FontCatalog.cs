using OcrForge.Inference;
using SkiaSharp;

namespace OcrForge.Data;

/// <summary>One font file and the face loaded from it.</summary>
public sealed record FontFace(string Path, SKTypeface Typeface)
{
    public string Family => Typeface.FamilyName;
    public override string ToString() => System.IO.Path.GetFileName(Path);
}

/// <summary>The two font sets of synthetic words and lines (see <see cref="FontCatalog"/>).</summary>
public enum FontSet { Train, Heldout }

/// <summary>
/// Fonts for synthetic words and lines, chosen by family name or file. Two fixed sets make a fair comparison possible:
/// <see cref="FontSet.Train"/> for training data and <see cref="FontSet.Heldout"/>, families training never sees, for
/// the held-out test set. Designs derived from one another are kept on one side only: GNU FreeFont descends from
/// the URW Nimbus faces, so it is in neither set; TeX Gyre descends from URW base35 too and is not used.
/// </summary>
public static class FontCatalog
{
    /// <summary>Serif, sans, condensed and monospaced families (DejaVu Sans and Serif include their condensed faces),
    /// each with its bold and italic faces (Debian: fonts-dejavu, fonts-liberation, fonts-open-sans, fonts-go,
    /// fonts-croscore, fonts-roboto, fonts-lato, fonts-cantarell, fonts-linuxlibertine, fonts-ebgaramond,
    /// fonts-firacode). Arimo, Tinos and Cousine share Liberation's design, so the second half of the list is what
    /// widened the letter shapes a model sees (docs/RESULTS.md, "more training fonts").</summary>
    public static readonly IReadOnlyList<string> TrainFamilies =
    [
        "DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono",
        "Liberation Sans", "Liberation Sans Narrow", "Liberation Serif", "Liberation Mono",
        "Open Sans", "Go", "Go Medium", "Go Mono", "Arimo", "Tinos", "Cousine",
        "Roboto", "Roboto Condensed", "Lato", "Cantarell", "Linux Libertine O", "Linux Biolinum O", "EB Garamond",
        "Fira Code",
    ];

    /// <summary>Families no training font shares a design with (Debian: fonts-urw-base35, fonts-crosextra-carlito,
    /// fonts-crosextra-caladea).</summary>
    public static readonly IReadOnlyList<string> HeldoutFamilies =
    [
        "Nimbus Sans", "Nimbus Sans Narrow", "Nimbus Roman", "Nimbus Mono PS", "C059", "P052", "URW Bookman",
        "URW Gothic", "Carlito", "Caladea",
    ];

    public static IReadOnlyList<string> Families(FontSet set) => set == FontSet.Train ? TrainFamilies : HeldoutFamilies;

    private static readonly Lazy<IReadOnlyList<FontFace>> Installed = new(() =>
        [.. InstalledFonts.Files
            .Select(f => (f, t: SKTypeface.FromFile(f)))
            .Where(p => p.t is not null)
            .Select(p => new FontFace(p.f, p.t!))]);

    /// <summary>The faces of a fixed set; a family that is not installed is an error naming it and its Debian package
    /// source.</summary>
    public static IReadOnlyList<FontFace> Resolve(FontSet set)
    {
        var missing = Families(set).Where(f => !Installed.Value.Any(i => SameFamily(i.Family, f))).ToList();
        if (missing.Count > 0)
            throw new OcrForgeException(
                $"--font-set {set.ToString().ToLowerInvariant()}: {string.Join(", ", missing)} not installed "
                + "(build the project as root to install them, see build/WordsData.targets)");
        return Resolve(Families(set), "--font-set");
    }

    /// <summary>
    /// Faces for each spec: a path to a .ttf/.otf file, or an installed family name (case-insensitive; every face of
    /// the family: regular, bold, italic…). Returned in spec order, each file once. An unknown spec is a one-line
    /// error.
    /// </summary>
    public static IReadOnlyList<FontFace> Resolve(IEnumerable<string> specs, string option = "--fonts")
    {
        var faces = new List<FontFace>();
        foreach (var raw in specs)
        {
            var spec = raw.Trim();
            if (spec.Length == 0) continue;
            if (LooksLikeFile(spec))
            {
                if (!File.Exists(spec)) throw new OcrForgeException($"{option} {spec}: no such font file");
                var typeface = SKTypeface.FromFile(spec)
                    ?? throw new OcrForgeException($"{option} {spec}: not a font file SkiaSharp can load");
                faces.Add(new FontFace(Path.GetFullPath(spec), typeface));
                continue;
            }
            var family = Installed.Value.Where(f => SameFamily(f.Family, spec)).ToList();
            if (family.Count == 0)
                throw new OcrForgeException($"{option} \"{spec}\": no such font file or installed family "
                    + $"({Installed.Value.Select(f => f.Family).Distinct().Count()} families installed, "
                    + $"e.g. {string.Join(", ", Installed.Value.Select(f => f.Family).Distinct().Take(4))})");
            faces.AddRange(family);
        }
        if (faces.Count == 0) throw new OcrForgeException($"{option}: no font given");
        return [.. faces.DistinctBy(f => f.Path)];
    }

    private static bool LooksLikeFile(string spec) =>
        spec.Contains('/') || spec.Contains('\\')
        || spec.EndsWith(".ttf", StringComparison.OrdinalIgnoreCase)
        || spec.EndsWith(".otf", StringComparison.OrdinalIgnoreCase);

    private static bool SameFamily(string a, string b) => string.Equals(a, b, StringComparison.OrdinalIgnoreCase);
}
