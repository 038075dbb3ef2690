using System.Diagnostics;
using System.Globalization;
using System.Text;
using OcrForge.Inference;
using OcrForge.Inference.Imaging;
using SkiaSharp;

namespace OcrForge.Data;

/// <summary>Words: one token per image; lines: two to six tokens separated by single spaces.</summary>
public enum TextKind { Words, Lines }

/// <summary>What <see cref="TextSynthesis.Write"/> draws. Null members take the defaults of
/// <see cref="FontSet"/>.</summary>
public sealed record TextSynthOptions
{
    public TextKind Kind { get; init; } = TextKind.Words;
    public int Count { get; init; } = 1000;
    public int Seed { get; init; } = 42;
    /// <summary>Fonts (unless <see cref="Fonts"/> is given), distortions and default height: training's or the held-out
    /// set's.</summary>
    public FontSet FontSet { get; init; } = FontSet.Train;
    /// <summary>Family names or font files replacing the set's fonts (the set's distortions stay).</summary>
    public IReadOnlyList<string>? Fonts { get; init; }
    public int? Height { get; init; }
    public int? MaxWidth { get; init; }
    public string? Charset { get; init; }
    public string? WordsFile { get; init; }
}

/// <summary>What a run wrote (the --json summary of <c>data synth --kind words|lines</c>).</summary>
public sealed record TextSynthSummary(string Kind, int Count, string Out, string Manifest, int Seed, string FontSet,
    IReadOnlyList<string> Fonts, string WordList, int Words, string Charset, int Height, int MaxWidth,
    int WidthMin, double WidthMean, int WidthMax, int LabelLengthMax, double Seconds, double ImagesPerSecond);

/// <summary>
/// Synthetic printed words and text lines as a scanner or a phone camera gives them: variable-length text from a word
/// list, mixed case, numbers and prices, punctuation, many fonts; a fixed height and a width that follows the text.
/// Images go to <c>OUT/images/NNNNNN.png</c> and their labels to <c>OUT/labels.csv</c> (<c>path,label</c>, RFC 4180
/// quoting), which <see cref="DatasetReader"/> reads as a csv dataset. Image i draws everything (text, font,
/// distortions) from its own generator of (seed, i), so a seed gives byte-identical files (with the same word list
/// and fonts) and images render in parallel.
/// </summary>
public static class TextSynthesis
{
    /// <summary>
    /// Letters, digits and the punctuation of prose, prices and numbers. Lines add the space between tokens.
    /// </summary>
    public const string DefaultCharset =
        "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz.,'-\"$%:!?()&/";

    /// <summary>Debian's wamerican list (104k words, proper nouns and possessives included).</summary>
    public const string DefaultWordList = "/usr/share/dict/american-english";

    public const string ManifestName = "labels.csv";
    public const string ImageFolder = "images";

    public static int DefaultHeight(FontSet set) => set == FontSet.Train ? 32 : 48;

    /// <summary>Wide enough for a six-token line at the default text size.</summary>
    public static int DefaultMaxWidth(int height) => 25 * height;

    public static TextSynthSummary Write(string dir, TextSynthOptions options)
    {
        var clock = Stopwatch.StartNew();
        if (options.Count < 1 || options.Count > 10_000_000)
            throw new OcrForgeException($"--count {options.Count}: expected 1–10000000 images");
        var distortions = options.FontSet == FontSet.Train ? Distortions.Train : Distortions.Heldout;
        int height = options.Height ?? DefaultHeight(options.FontSet);
        if (height < 12 || height > 512) throw new OcrForgeException($"--height {height}: expected 12–512 pixels");
        int maxWidth = options.MaxWidth ?? DefaultMaxWidth(height);
        if (maxWidth < height || maxWidth > 16384)
            throw new OcrForgeException($"--max-width {maxWidth}: expected {height} (the height) to 16384 pixels");
        var charset = options.Charset ?? DefaultCharset;
        ValidateCharset(charset);
        var wordList = options.WordsFile ?? DefaultWordList;
        var source = new TextSource(ReadWords(wordList, charset, options.WordsFile is null), charset, options.Kind);
        var fonts = options.Fonts is { } specs ? FontCatalog.Resolve(specs) : FontCatalog.Resolve(options.FontSet);

        if (File.Exists(dir)) throw new OcrForgeException($"{dir}: is a file; --out names a folder");
        if (Directory.Exists(dir) && (File.Exists(Path.Combine(dir, ManifestName))
            || Directory.EnumerateFiles(dir, "*", SearchOption.AllDirectories).Any(DatasetReader.IsImage)))
            throw new OcrForgeException(
                $"{dir}: already holds images or a {ManifestName}; synth writes into a new or image-free folder");
        var imageDir = Path.Combine(dir, ImageFolder);
        Directory.CreateDirectory(imageDir);

        var labels = new string[options.Count];
        var widths = new int[options.Count];
        try
        {
            Parallel.For(0, options.Count, i =>
            {
                var (image, label) = Render(source, fonts, distortions, height, maxWidth,
                    SyntheticData.ImageRandom(options.Seed, i));
                ImageWriter.WritePng(image, Path.Combine(imageDir, FileName(i)));
                labels[i] = label;
                widths[i] = image.Width;
            });
        }
        catch (AggregateException e) when (e.InnerExceptions.FirstOrDefault(x => x is OcrForgeException) is { } first)
        {
            throw first;
        }

        // Written last and atomically: a folder with a manifest holds every image it names.
        var manifest = Path.Combine(dir, ManifestName);
        var temp = Path.Combine(dir, $".{ManifestName}.{Environment.ProcessId}.tmp");
        var csv = new StringBuilder("path,label\n");
        for (int i = 0; i < labels.Length; i++)
            csv.Append(CsvField($"{ImageFolder}/{FileName(i)}")).Append(',').Append(CsvField(labels[i])).Append('\n');
        File.WriteAllText(temp, csv.ToString(), new UTF8Encoding(false));
        File.Move(temp, manifest, overwrite: true);

        double seconds = clock.Elapsed.TotalSeconds;
        return new TextSynthSummary(options.Kind.ToString().ToLowerInvariant(), options.Count, dir, manifest,
            options.Seed, options.FontSet.ToString().ToLowerInvariant(), [.. fonts.Select(f => f.ToString())], wordList,
            source.WordCount, charset, height, maxWidth, widths.Min(), widths.Average(), widths.Max(),
            labels.Max(l => l.Length),
            seconds, options.Count / Math.Max(seconds, 1e-9));
    }

    private static string FileName(int i) => $"{i:D6}.png";

    /// <summary>RFC 4180: a field holding a comma, a quote, a line break or edge spaces is quoted, quotes
    /// doubled.</summary>
    public static string CsvField(string value) =>
        value.IndexOfAny([',', '"', '\n', '\r']) >= 0 || value != value.Trim()
            ? "\"" + value.Replace("\"", "\"\"", StringComparison.Ordinal) + "\""
            : value;

    private static void ValidateCharset(string charset)
    {
        if (charset.Length == 0) throw new OcrForgeException("--charset: empty");
        var dup = charset.GroupBy(c => c).FirstOrDefault(g => g.Count() > 1);
        if (dup is not null) throw new OcrForgeException($"--charset: '{dup.Key}' appears twice");
        // Labels live in a CSV manifest one per line, and lines put the only space between tokens themselves.
        var bad = charset.FirstOrDefault(c => char.IsWhiteSpace(c) || char.IsControl(c) || char.IsSurrogate(c));
        if (bad != default)
            throw new OcrForgeException($"--charset: U+{(int)bad:X4} cannot be drawn as a label symbol");
        if (!charset.Any(char.IsLetterOrDigit))
            throw new OcrForgeException("--charset: needs letters or digits to draw words");
    }

    /// <summary>The list's words made only of charset symbols, in file order (one word a line; blank and # lines
    /// skipped).</summary>
    private static string[] ReadWords(string file, string charset, bool isDefault)
    {
        if (!File.Exists(file))
            throw new OcrForgeException(isDefault
                ? $"{file}: no word list; install Debian's wamerican (building the project as root does) "
                    + "or pass --words FILE"
                : $"{file}: no such word list");
        var symbols = new HashSet<char>(charset);
        string[] words;
        try
        {
            words = [.. File.ReadLines(file).Select(l => l.Trim())
                .Where(w => w.Length > 0 && !w.StartsWith('#') && w.All(symbols.Contains))];
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or DecoderFallbackException)
        {
            throw new OcrForgeException($"{file}: cannot read the word list ({e.Message})", e);
        }
        return words.Length > 0 ? words
            : throw new OcrForgeException($"{file}: no word is made only of the charset's symbols");
    }

    /// <summary>
    /// One image: text that fits <paramref name="maxWidth"/> (a few new draws, then horizontal squeezing), a font that
    /// has its glyphs, then the set's distortions.
    /// </summary>
    private static (GrayImage Image, string Label) Render(TextSource source, IReadOnlyList<FontFace> fonts,
        Distortions d, int height, int maxWidth, Random rng)
    {
        const int attempts = 12;
        for (int attempt = 0; ; attempt++)
        {
            var text = source.Next(rng, shorter: attempt);
            var usable = fonts.Where(f => f.Typeface.ContainsGlyphs(text)).ToList();
            if (usable.Count == 0)
            {
                if (attempt < attempts) continue;
                throw new OcrForgeException($"--fonts: none of the {fonts.Count} fonts has every glyph of \"{text}\"");
            }
            var face = usable[rng.Next(usable.Count)].Typeface;
            var image = Draw(text, face, d, height, maxWidth, rng, squeeze: attempt >= attempts);
            if (image is not null) return (image, text);
        }
    }

    /// <summary>
    /// Draws <paramref name="text"/> centred, or returns null when it would be wider than <paramref name="maxWidth"/>
    /// (unless <paramref name="squeeze"/>, which narrows the glyphs to fit instead).
    /// </summary>
    private static GrayImage? Draw(string text, SKTypeface face, Distortions d, int height, int maxWidth, Random rng,
        bool squeeze)
    {
        // Sized by the ink height of "Hg" (cap top to descender bottom), so every font's text is equally tall.
        using var font = new SKFont(face, 100) { Subpixel = true, Edging = SKFontEdging.Antialias };
        font.MeasureText("Hg", out var hg);
        double textHeight = height * (d.TextMin + (d.TextMax - d.TextMin) * rng.NextDouble());
        font.Size = (float)(100 * textHeight / Math.Max(hg.Height, 1f));
        font.MeasureText("Hg", out hg);
        font.MeasureText(text, out var ink);

        float marginLeft = (float)(2 + height * (0.05 + 0.3 * rng.NextDouble()));
        float marginRight = (float)(2 + height * (0.05 + 0.3 * rng.NextDouble()));
        float room = maxWidth - marginLeft - marginRight;
        if (ink.Width > room)
        {
            if (!squeeze) return null;
            font.ScaleX = Math.Max(0.1f, room / ink.Width);
            font.MeasureText(text, out ink);
        }
        int width = Math.Min(maxWidth, (int)Math.Ceiling(ink.Width + marginLeft + marginRight));

        byte paper = (byte)rng.Next(d.PaperMin, d.PaperMax + 1);
        byte ink8 = (byte)Math.Max(0, Math.Min(rng.Next(d.InkMin, d.InkMax + 1), paper - d.MinContrast));
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        // Uneven lighting: a linear gradient of the paper level in a random direction.
        double angle = rng.NextDouble() * 2 * Math.PI, shade = (rng.NextDouble() * 2 - 1) * d.Gradient;
        byte from = Level(paper + shade), to = Level(paper - shade);
        using (var background = new SKPaint())
        {
            float cx0 = width / 2f, cy0 = height / 2f, r = Math.Max(width, height) / 2f;
            background.Shader = SKShader.CreateLinearGradient(
                new SKPoint(cx0 - r * (float)Math.Cos(angle), cy0 - r * (float)Math.Sin(angle)),
                new SKPoint(cx0 + r * (float)Math.Cos(angle), cy0 + r * (float)Math.Sin(angle)),
                [new SKColor(from, from, from), new SKColor(to, to, to)], SKShaderTileMode.Clamp);
            canvas.DrawRect(0, 0, width, height, background);
        }

        float sigma = rng.NextDouble() < d.BlurProbability ? (float)(d.BlurMax * rng.NextDouble() * height / 32) : 0;
        using var blur = sigma > 0.1f ? SKMaskFilter.CreateBlur(SKBlurStyle.Normal, sigma) : null;
        using var paint = new SKPaint { Color = new SKColor(ink8, ink8, ink8), IsAntialias = true, MaskFilter = blur };

        // Rotation is limited so that the ends of a long line move at most a tenth of the height.
        double maxTilt = Math.Asin(Math.Min(1, 0.1 * height / Math.Max(1, ink.Width / 2))) * 180 / Math.PI;
        float degrees = (float)((rng.NextDouble() * 2 - 1) * Math.Min(d.RotationDegrees, maxTilt));
        float jitter = (float)((rng.NextDouble() * 2 - 1) * d.VerticalJitter * height);
        canvas.Translate(marginLeft + ink.Width / 2, height / 2f + jitter);
        if (d.Perspective > 0)
        {
            // The far side of the page shrinks by up to Perspective, the near side grows: a phone held slightly askew.
            var m = SKMatrix.Identity;
            m.Persp0 = (float)((rng.NextDouble() * 2 - 1) * d.Perspective / width);
            m.Persp1 = (float)((rng.NextDouble() * 2 - 1) * d.Perspective / height);
            canvas.Concat(in m);
        }
        if (d.ShearMax > 0) canvas.Skew((float)((rng.NextDouble() * 2 - 1) * d.ShearMax), 0);
        canvas.RotateDegrees(degrees);
        canvas.DrawText(text, -ink.MidX, -hg.MidY, font, paint);
        canvas.Flush();

        var image = ImageWriter.FromBitmap(bitmap);
        var pixels = image.Pixels;
        if (d.NoiseMax > 0) Augmenter.AddNoise(pixels, d.NoiseMax * rng.NextDouble(), rng);
        if (rng.NextDouble() < d.MotionBlurProbability)
            pixels = MotionBlur(pixels, width, height, 2 + rng.Next(3), rng.NextDouble() * Math.PI);
        if (rng.NextDouble() < d.InkSpreadProbability) pixels = InkSpread(pixels, width, height);
        if (d.Vignette > 0) Vignette(pixels, width, height, d.Vignette * rng.NextDouble());
        if (rng.NextDouble() < d.SpeckleProbability)
            Speckle(pixels, width, height, ink8, paper, 0.002 * rng.NextDouble(), rng);
        return new GrayImage(width, height, pixels);
    }

    private static byte Level(double v) => (byte)Math.Clamp((int)Math.Round(v), 0, 255);

    /// <summary>Camera shake: the mean along a short segment of <paramref name="length"/> pixels at
    /// <paramref name="angle"/>.</summary>
    private static byte[] MotionBlur(byte[] src, int w, int h, int length, double angle)
    {
        var dst = new byte[src.Length];
        double dx = Math.Cos(angle), dy = Math.Sin(angle);
        var offsets = Enumerable.Range(0, length + 1)
            .Select(k => (k - length / 2.0))
            .Select(t => ((int)Math.Round(t * dx), (int)Math.Round(t * dy))).ToArray();
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int sum = 0;
                foreach (var (ox, oy) in offsets)
                    sum += src[Math.Clamp(y + oy, 0, h - 1) * w + Math.Clamp(x + ox, 0, w - 1)];
                dst[y * w + x] = (byte)((sum + offsets.Length / 2) / offsets.Length);
            }
        return dst;
    }

    /// <summary>Toner or ink spreading on a copy: each pixel takes the darkest of its 2×2 block, strokes
    /// thicken.</summary>
    private static byte[] InkSpread(byte[] src, int w, int h)
    {
        var dst = new byte[src.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int x1 = Math.Min(x + 1, w - 1), y1 = Math.Min(y + 1, h - 1);
                dst[y * w + x] = Math.Min(Math.Min(src[y * w + x], src[y * w + x1]),
                    Math.Min(src[y1 * w + x], src[y1 * w + x1]));
            }
        return dst;
    }

    /// <summary>Lens fall-off: darker towards the corners by up to <paramref name="strength"/> of the level.</summary>
    private static void Vignette(byte[] pixels, int w, int h, double strength)
    {
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0, r2 = cx * cx + cy * cy;
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                double d2 = ((x - cx) * (x - cx) + (y - cy) * (y - cy)) / Math.Max(r2, 1);
                pixels[y * w + x] = Level(pixels[y * w + x] * (1 - strength * d2));
            }
    }

    /// <summary>Scanner dust and paper flecks: single dark or light pixels.</summary>
    private static void Speckle(byte[] pixels, int w, int h, byte ink, byte paper, double density, Random rng)
    {
        int n = (int)Math.Round(density * w * h);
        for (int k = 0; k < n; k++)
            pixels[rng.Next(h) * w + rng.Next(w)] = rng.NextDouble() < 0.7 ? ink : paper;
    }

    /// <summary>
    /// The distortions of a font set. Training's are those of a phone camera and a desk scanner: small rotation, slight
    /// perspective, Gaussian blur and noise, contrast and paper level, a lighting gradient. The held-out set keeps the
    /// small rotation, levels and gradient but replaces the others with ones training never applies (camera-shake
    /// motion blur, a slight shear, ink spread, vignetting, speckle), and draws taller text (≥ 30 px) for Tesseract.
    /// </summary>
    private sealed record Distortions(double TextMin, double TextMax, double RotationDegrees, double VerticalJitter,
        int PaperMin, int PaperMax, int InkMin, int InkMax, int MinContrast, double Gradient,
        double Perspective, double BlurProbability, double BlurMax, double NoiseMax,
        double ShearMax, double MotionBlurProbability, double InkSpreadProbability, double Vignette,
        double SpeckleProbability)
    {
        public static readonly Distortions Train = new(TextMin: 0.55, TextMax: 0.72, RotationDegrees: 2,
            VerticalJitter: 0.05,
            PaperMin: 160, PaperMax: 255, InkMin: 0, InkMax: 90, MinContrast: 70, Gradient: 20,
            Perspective: 0.06, BlurProbability: 0.7, BlurMax: 0.9, NoiseMax: 10,
            ShearMax: 0, MotionBlurProbability: 0, InkSpreadProbability: 0, Vignette: 0, SpeckleProbability: 0);

        // Height 48 × 0.64 = 30.7 px: the "Hg" ink height is at least 30 px at the default height.
        public static readonly Distortions Heldout = new(TextMin: 0.64, TextMax: 0.74, RotationDegrees: 1.5,
            VerticalJitter: 0.04,
            PaperMin: 175, PaperMax: 250, InkMin: 5, InkMax: 80, MinContrast: 80, Gradient: 15,
            Perspective: 0, BlurProbability: 0, BlurMax: 0, NoiseMax: 0,
            ShearMax: 0.12, MotionBlurProbability: 0.5, InkSpreadProbability: 0.3, Vignette: 0.25,
            SpeckleProbability: 0.5);
    }

    /// <summary>
    /// Tokens: dictionary words (lower case, Capitalised or UPPER; some hyphenated, some with trailing punctuation,
    /// quotes or brackets), integers (1,250), prices ($12.99, 3.50), decimals and percentages, times and dates.
    /// A token with a symbol outside the charset is drawn again; a plain list word always fits.
    /// </summary>
    private sealed class TextSource(string[] words, string charset, TextKind kind)
    {
        private readonly HashSet<char> symbols = [.. charset];

        public int WordCount => words.Length;

        public string Next(Random rng, int shorter)
        {
            if (kind == TextKind.Words) return Token(rng);
            // Each failed fit asks for a shorter line: six tokens at most at first, two at the end.
            int most = Math.Max(2, 6 - shorter / 2);
            int n = rng.Next(2, most + 1);
            return string.Join(' ', Enumerable.Range(0, n).Select(_ => Token(rng)));
        }

        private string Token(Random rng)
        {
            for (int tries = 0; tries < 20; tries++)
            {
                var token = Candidate(rng);
                if (token.Length > 0 && token.All(symbols.Contains)) return token;
            }
            return words[rng.Next(words.Length)];
        }

        private string Candidate(Random rng)
        {
            double r = rng.NextDouble();
            if (r < 0.74) return Decorate(Word(rng), rng);
            if (r < 0.83) return Integer(rng);
            if (r < 0.91) return Price(rng);
            if (r < 0.96) return rng.NextDouble() < 0.5
                ? $"{rng.Next(0, 100)}.{rng.Next(1, 100):D2}".TrimEnd('0')
                : $"{rng.Next(1, 101)}%";
            return rng.NextDouble() < 0.5
                ? $"{rng.Next(1, 13)}:{rng.Next(0, 60):D2}"
                : $"{rng.Next(1, 13):D2}/{rng.Next(1, 29):D2}/{rng.Next(1990, 2031)}";
        }

        private string Word(Random rng)
        {
            var word = Cased(ListWord(rng), rng);
            return rng.NextDouble() < 0.05 ? $"{word}-{ListWord(rng).ToLowerInvariant()}" : word;
        }

        /// <summary>wamerican lists most nouns again as possessives (28 % of it): one is kept only if a second draw is
        /// one too.</summary>
        private string ListWord(Random rng)
        {
            var word = words[rng.Next(words.Length)];
            return word.EndsWith("'s", StringComparison.Ordinal) ? words[rng.Next(words.Length)] : word;
        }

        private static string Cased(string word, Random rng)
        {
            double r = rng.NextDouble();
            if (r < 0.55) return word.ToLowerInvariant();
            if (r < 0.85)
                return word.Length == 0 ? word : char.ToUpperInvariant(word[0]) + word[1..].ToLowerInvariant();
            return word.ToUpperInvariant();
        }

        private static string Decorate(string word, Random rng)
        {
            double r = rng.NextDouble();
            if (r < 0.14) return word + ".,,:!?"[rng.Next(6)];
            if (r < 0.17) return $"\"{word}\"";
            if (r < 0.19) return $"({word})";
            return word;
        }

        private static string Integer(Random rng)
        {
            long n = Magnitude(rng, rng.Next(1, 6));
            if (rng.NextDouble() < 0.08)
                return n % 100 is >= 11 and <= 13
                    ? $"{n}th"
                    : $"{n}{(n % 10) switch { 1 => "st", 2 => "nd", 3 => "rd", _ => "th" }}";
            return n >= 1000 && rng.NextDouble() < 0.6
                ? n.ToString("N0", CultureInfo.InvariantCulture)
                : n.ToString(CultureInfo.InvariantCulture);
        }

        private static string Price(Random rng)
        {
            long dollars = Magnitude(rng, rng.Next(1, 5));
            var whole = dollars >= 1000 && rng.NextDouble() < 0.7
                ? dollars.ToString("N0", CultureInfo.InvariantCulture)
                : dollars.ToString(CultureInfo.InvariantCulture);
            double r = rng.NextDouble();
            int cents = r < 0.3 ? 99 : r < 0.45 ? 50 : r < 0.6 ? 0 : rng.Next(100);
            return (rng.NextDouble() < 0.75 ? "$" : "") + whole + "."
                + cents.ToString("D2", CultureInfo.InvariantCulture);
        }

        /// <summary>A number of exactly <paramref name="digits"/> digits (0–9 for one).</summary>
        private static long Magnitude(Random rng, int digits) =>
            digits == 1 ? rng.Next(10) : rng.NextInt64((long)Math.Pow(10, digits - 1), (long)Math.Pow(10, digits));
    }
}
