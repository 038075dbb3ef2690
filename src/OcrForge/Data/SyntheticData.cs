using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using SkiaSharp;

namespace OcrForge.Data;

/// <summary>
/// Synthetic training data drawn with the installed fonts: captchas in the style of captcha_images_v2 (light gray
/// gradient, dark slanted overlapping glyphs, one curved stroke through the text, slight blur) and single characters
/// in many fonts, sizes, rotations and offsets. Every image draws from its own generator derived from (seed, index),
/// so output is byte-identical for a seed (on machines with the same fonts installed) and images render in parallel.
/// </summary>
public static class SyntheticData
{
    /// <summary>The 19 symbols of captcha_images_v2.</summary>
    public const string CaptchaCharset = "2345678bcdefgmnpwxy";
    /// <summary>Digits and capitals: the 36 classes of Chars74K's natural-scene set.</summary>
    public const string CharactersCharset = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ";

    /// <summary>
    /// Writes <paramref name="count"/> captchas as <c>LABEL.png</c> directly in <paramref name="dir"/>. A label drawn
    /// twice is written as <c>LABEL__1.png</c>, <c>LABEL__2.png</c>…, which <see cref="DatasetReader.FilenameLabel"/>
    /// reads back as <c>LABEL</c>. Returns the written paths in generation order.
    /// </summary>
    public static IReadOnlyList<string> WriteCaptchas(string dir, int count, int seed, int length = 5,
        string charset = CaptchaCharset, int width = 200, int height = 50)
    {
        var names = CaptchaNames(count, seed, length, charset, width, height);
        Directory.CreateDirectory(dir);
        var paths = names.Select(n => Path.Combine(dir, n.FileName)).ToArray();
        Parallel.For(0, count, i =>
            ImageWriter.WritePng(RenderCaptcha(names[i].Label, ImageRandom(seed, i), width, height), paths[i]));
        return paths;
    }

    /// <summary>
    /// The same captchas as <see cref="WriteCaptchas"/> with the same arguments, pixel for pixel, kept in memory
    /// (for tests and demos that need no files). <see cref="Sample.Path"/> is the file name they would have.
    /// </summary>
    public static IReadOnlyList<Sample> Captchas(int count, int seed, int length = 5,
        string charset = CaptchaCharset, int width = 200, int height = 50)
    {
        var names = CaptchaNames(count, seed, length, charset, width, height);
        var samples = new Sample[count];
        Parallel.For(0, count, i =>
            samples[i] = new Sample(RenderCaptcha(names[i].Label, ImageRandom(seed, i), width, height), names[i].Label,
                names[i].FileName));
        return samples;
    }

    /// <summary>Labels from one sequential generator, so that duplicates and their __N suffixes are
    /// deterministic.</summary>
    private static (string Label, string FileName)[] CaptchaNames(int count, int seed, int length, string charset,
        int width, int height)
    {
        ValidateCount(count);
        ValidateSize(width, height, minWidth: 16, minHeight: 12);
        if (length < 1 || length > 64) throw new OcrForgeException($"--length {length}: expected 1–64 symbols");
        ValidateCharset(charset, forbidden: "_");

        var rng = new Random(seed);
        var seen = new Dictionary<string, int>(StringComparer.Ordinal);
        var names = new (string, string)[count];
        for (int i = 0; i < count; i++)
        {
            var label = new string(
                Enumerable.Range(0, length).Select(_ => charset[rng.Next(charset.Length)]).ToArray());
            int n = seen.TryGetValue(label, out var k) ? k + 1 : 0;
            seen[label] = n;
            names[i] = (label, n == 0 ? $"{label}.png" : $"{label}__{n}.png");
        }
        return names;
    }

    /// <summary>
    /// Writes <paramref name="count"/> single-character images, classes taken in turn so they are balanced, as
    /// <c>dir/CLASS/NNNNNN.png</c> (the <c>folders</c> layout). Returns the written paths in generation order.
    /// </summary>
    public static IReadOnlyList<string> WriteCharacters(string dir, int count, int seed,
        string charset = CharactersCharset, int width = 32, int height = 32)
    {
        ValidateCount(count);
        ValidateSize(width, height, minWidth: 8, minHeight: 8);
        ValidateCharset(charset, forbidden: ".");
        // Folder names are labels: on a case-insensitive file system "a" and "A" would share a folder.
        var caseClash = charset.GroupBy(char.ToLowerInvariant).FirstOrDefault(g => g.Count() > 1);
        if (caseClash is not null && !OperatingSystem.IsLinux())
            throw new OcrForgeException($"--charset: '{string.Concat(caseClash)}' differ only in case, "
                + "which this file system cannot keep apart as folders");
        foreach (var c in charset) Directory.CreateDirectory(Path.Combine(dir, c.ToString()));

        var paths = new string[count];
        for (int i = 0; i < count; i++)
            paths[i] = Path.Combine(dir, charset[i % charset.Length].ToString(), $"{i:D6}.png");
        Parallel.For(0, count, i =>
            ImageWriter.WritePng(RenderCharacter(charset[i % charset.Length], ImageRandom(seed, i), width, height),
                paths[i]));
        return paths;
    }

    public static GrayImage RenderCaptcha(string text, Random rng, int width = 200, int height = 50)
    {
        var fonts = FontsFor(text, captcha: true);
        var typeface = fonts[rng.Next(fonts.Count)];
        // All lengths are drawn relative to the 50-pixel height of captcha_images_v2, so other sizes look alike.
        float s = height / 50f;
        byte ink = (byte)rng.Next(0, 35);
        var inkColour = new SKColor(ink, ink, ink);

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        byte left = (byte)rng.Next(175, 215), right = (byte)rng.Next(243, 256);
        using (var background = new SKPaint())
        {
            background.Shader = SKShader.CreateLinearGradient(new SKPoint(0, 0), new SKPoint(width, 0),
                [new SKColor(left, left, left), new SKColor(right, right, right)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, width, height, background);
        }

        using var blur = SKMaskFilter.CreateBlur(SKBlurStyle.Normal, (float)(0.25 + 0.4 * rng.NextDouble()) * s);
        using var paint = new SKPaint { Color = inkColour, IsAntialias = true, MaskFilter = blur };
        using var font = new SKFont(typeface, (float)(33 + 7 * rng.NextDouble()) * s)
            { Embolden = rng.NextDouble() < 0.7, Subpixel = true };

        // Glyphs overlap as in the originals: each advances by only part of its own width.
        float overlap = (float)(0.72 + 0.18 * rng.NextDouble());
        var advances = text.Select(c => font.MeasureText(c.ToString()) * overlap).ToArray();
        float total = advances.Sum();
        if (total > 0.85f * width)
        {
            float shrink = 0.85f * width / total;
            font.Size *= shrink;
            for (int i = 0; i < advances.Length; i++) advances[i] *= shrink;
            total *= shrink;
        }
        float x = (float)(0.08 * width + rng.NextDouble() * Math.Max(0, Math.Min(0.2 * width, 0.92 * width - total)));
        float textStart = x;
        font.MeasureText("x", out var xBounds);
        // The originals' glyphs are tall and narrow: stretch vertically rather than enlarge, which would widen the
        // text.
        float stretch = (float)(1.05 + 0.25 * rng.NextDouble());
        // Centre the lowercase body (x-height) vertically; capitals and ascenders stick out above as in the originals.
        float baseline = height / 2f - xBounds.MidY * stretch;
        foreach (var (c, advance) in text.Zip(advances))
        {
            canvas.Save();
            canvas.Translate(x, baseline + (float)((rng.NextDouble() * 2 - 1) * 3 * s));
            canvas.Scale(1, stretch);
            canvas.RotateDegrees((float)((rng.NextDouble() * 2 - 1) * 10));
            canvas.Skew((float)(-0.25 + 0.3 * rng.NextDouble()), 0);
            canvas.DrawText(c.ToString(), 0, 0, font, paint);
            canvas.Restore();
            x += advance;
        }

        // The noise stroke: a cubic curve entering left of the text and leaving right of it.
        paint.Style = SKPaintStyle.Stroke;
        paint.StrokeWidth = (float)(1.5 + 1.5 * rng.NextDouble()) * s;
        paint.StrokeCap = SKStrokeCap.Round;
        float Y() => (float)((0.2 + 0.6 * rng.NextDouble()) * height);
        using var path = new SKPath();
        path.MoveTo(Math.Max(2f, textStart - (float)((0.02 + 0.08 * rng.NextDouble()) * width)), Y());
        path.CubicTo(textStart + total * 0.33f, Y(), textStart + total * 0.66f, Y(),
            Math.Min(width - 2f, x + (float)((0.05 + 0.2 * rng.NextDouble()) * width)), Y());
        canvas.DrawPath(path, paint);
        canvas.Flush();
        return Roughen(ImageWriter.FromBitmap(bitmap), rng, 0.2 + 0.25 * rng.NextDouble());
    }

    /// <summary>
    /// The originals' strokes have ragged, hairy edges: each pixel takes a random neighbour's value with probability
    /// <paramref name="probability"/>. Flat paper stays as it is; only edges, where neighbours differ, turn ragged.
    /// </summary>
    private static GrayImage Roughen(GrayImage image, Random rng, double probability)
    {
        int w = image.Width, h = image.Height;
        var src = image.Pixels;
        var dst = (byte[])src.Clone();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                if (rng.NextDouble() >= probability) continue;
                int nx = Math.Clamp(x + rng.Next(-1, 2), 0, w - 1), ny = Math.Clamp(y + rng.Next(-1, 2), 0, h - 1);
                dst[y * w + x] = src[ny * w + nx];
            }
        return new GrayImage(w, h, dst);
    }

    public static GrayImage RenderCharacter(char c, Random rng, int width = 32, int height = 32)
    {
        var text = c.ToString();
        var fonts = FontsFor(text, captcha: false);
        var typeface = fonts[rng.Next(fonts.Count)];
        float side = Math.Min(width, height);

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        byte paper = (byte)rng.Next(215, 256), ink = (byte)rng.Next(0, 60);
        canvas.Clear(new SKColor(paper, paper, paper));

        using var font = new SKFont(typeface, side * (float)(0.65 + 0.3 * rng.NextDouble()))
            { Embolden = rng.NextDouble() < 0.3, Subpixel = true };
        using var blur = rng.NextDouble() < 0.3 ? SKMaskFilter.CreateBlur(SKBlurStyle.Normal, side / 40f) : null;
        using var paint = new SKPaint { Color = new SKColor(ink, ink, ink), IsAntialias = true, MaskFilter = blur };
        font.MeasureText(text, out var bounds);
        // Rotate about the glyph's centre, then move that centre to the image centre plus a ±10 % offset.
        float dx = (float)((rng.NextDouble() * 2 - 1) * 0.1 * width),
            dy = (float)((rng.NextDouble() * 2 - 1) * 0.1 * height);
        canvas.Translate(width / 2f + dx, height / 2f + dy);
        canvas.RotateDegrees((float)((rng.NextDouble() * 2 - 1) * 12));
        canvas.DrawText(text, -bounds.MidX, -bounds.MidY, font, paint);
        canvas.Flush();
        return ImageWriter.FromBitmap(bitmap);
    }

    /// <summary>
    /// A generator for image <paramref name="index"/> of a run: SplitMix64 of (seed, index), so neighbouring indices
    /// and seeds give unrelated streams (HashCode.Combine would differ between processes).
    /// </summary>
    internal static Random ImageRandom(int seed, int index)
    {
        ulong z = ((ulong)(uint)seed << 32 | (uint)index) + 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return new Random((int)((z ^ (z >> 31)) & 0x7FFFFFFF));
    }

    /// <summary>Legacy fonts (<see cref="InstalledFonts.Legacy"/>) that have every glyph of <paramref name="text"/>;
    /// captchas skip thin and monospaced faces, which the originals do not use.</summary>
    private static IReadOnlyList<SKTypeface> FontsFor(string text, bool captcha)
    {
        var pool = InstalledFonts.Legacy;
        var usable = pool.Where(f => f.ContainsGlyphs(text)
            && (!captcha || (f.FontWeight >= (int)SKFontStyleWeight.Normal && !f.IsFixedPitch))).ToList();
        if (usable.Count == 0) usable = pool.Where(f => f.ContainsGlyphs(text)).ToList();
        return usable.Count > 0 ? usable
            : throw new OcrForgeException(
                $"no installed font has the glyphs of \"{text}\" (fonts found: {pool.Count})");
    }

    private static void ValidateCount(int count)
    {
        if (count < 1 || count > 10_000_000)
            throw new OcrForgeException($"--count {count}: expected 1–10000000 images");
    }

    private static void ValidateSize(int width, int height, int minWidth, int minHeight)
    {
        if (width < minWidth || height < minHeight || width > 4096 || height > 4096)
            throw new OcrForgeException(
                $"--size {width}x{height}: expected at least {minWidth}x{minHeight} and at most 4096 per side");
    }

    /// <summary>Labels become file or folder names, so the charset must hold only characters every file system
    /// keeps.</summary>
    private static void ValidateCharset(string charset, string forbidden)
    {
        if (charset.Length == 0) throw new OcrForgeException("--charset: empty");
        var dup = charset.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new OcrForgeException($"--charset: '{dup.Key}' appears twice");
        var bad = charset.FirstOrDefault(c => char.IsWhiteSpace(c) || char.IsControl(c) || char.IsSurrogate(c)
            || "/\\:*?\"<>|".Contains(c) || forbidden.Contains(c));
        if (bad != default)
            throw new OcrForgeException($"--charset: '{bad}' (U+{(int)bad:X4}) cannot be part of a file name label");
    }
}
