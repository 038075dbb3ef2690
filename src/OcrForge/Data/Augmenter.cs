using OcrForge.Inference.Imaging;

namespace OcrForge.Data;

/// <summary>
/// Random geometric and photometric changes applied on the fly to training images. Ranges follow the Chars74K and
/// captcha work: rotation ±10°, translation ±10 % of the size, zoom 1–1.3, plus optional noise, blur, inversion,
/// shear and cutout (a square of mid-grey at a random place, DeVries &amp; Taylor 2017).
/// </summary>
public sealed record AugmentOptions(
    float RotationDegrees = 10f,
    float Translate = 0.10f,
    float ZoomMin = 1.0f,
    float ZoomMax = 1.3f,
    float NoiseStd = 0f,
    float BlurProbability = 0f,
    float InvertProbability = 0f,
    bool ReplicateEdges = false,
    float ShearDegrees = 0f,
    float CutoutFraction = 0f)
{
    public static readonly AugmentOptions Characters = new();
    /// <summary>
    /// Strong augmentation for consistency training (FixMatch's "strong" branch, in the shapes a character takes):
    /// twice the geometric range plus shear, noise, blur and a cutout square, so that agreeing with the plain image's
    /// class is a real task rather than a near copy of the supervised one.
    /// </summary>
    public static readonly AugmentOptions CharactersStrong = new(RotationDegrees: 20f, Translate: 0.15f, ZoomMin: 0.85f,
        ZoomMax: 1.4f, NoiseStd: 12f, BlurProbability: 0.3f, ShearDegrees: 15f, CutoutFraction: 0.4f);
    /// <summary>
    /// Text lines: a wide image cannot take the same rotation or zoom without losing its ends. Their backgrounds are
    /// often gradients (captchas), so uncovered margins continue the nearest edge rather than take one flat colour.
    /// </summary>
    public static readonly AugmentOptions TextLines = new(RotationDegrees: 3f, Translate: 0.04f, ZoomMin: 0.95f,
        ZoomMax: 1.05f, NoiseStd: 6f, BlurProbability: 0.2f, ReplicateEdges: true);
}

/// <summary>
/// Applies <see cref="AugmentOptions"/> to 8-bit images. All randomness comes from the <see cref="Random"/> passed in,
/// so a seeded generator gives the same augmented images every run. Pixels uncovered by the transform take the
/// image's border colour (the median of its edge pixels), which is the paper colour for text, or with
/// <see cref="AugmentOptions.ReplicateEdges"/> the value of the nearest edge pixel.
/// </summary>
public sealed class Augmenter(AugmentOptions options)
{
    public AugmentOptions Options { get; } = options;

    public GrayImage Apply(GrayImage image, Random rng)
    {
        int w = image.Width, h = image.Height;
        double angle = (rng.NextDouble() * 2 - 1) * Options.RotationDegrees * Math.PI / 180;
        double zoom = Options.ZoomMin + rng.NextDouble() * (Options.ZoomMax - Options.ZoomMin);
        double tx = (rng.NextDouble() * 2 - 1) * Options.Translate * w;
        double ty = (rng.NextDouble() * 2 - 1) * Options.Translate * h;
        bool blur = rng.NextDouble() < Options.BlurProbability;
        bool invert = rng.NextDouble() < Options.InvertProbability;
        // Drawn only when enabled, so the other options give the same images as before these existed.
        double shear = Options.ShearDegrees > 0
            ? Math.Tan((rng.NextDouble() * 2 - 1) * Options.ShearDegrees * Math.PI / 180)
            : 0;

        // Inverse mapping: for each output pixel find where it comes from, so every output pixel is filled once.
        double cos = Math.Cos(angle) / zoom, sin = Math.Sin(angle) / zoom;
        double cx = (w - 1) / 2.0, cy = (h - 1) / 2.0;
        int fill = Options.ReplicateEdges ? -1 : BorderColour(image);
        var src = image.Pixels;
        var dst = new byte[w * h];
        for (int y = 0; y < h; y++)
        {
            double dy = y - cy - ty;
            for (int x = 0; x < w; x++)
            {
                double dx = x - cx - tx;
                double sx = cos * dx + sin * dy + cx + shear * dy;
                double sy = -sin * dx + cos * dy + cy;
                dst[y * w + x] = Bilinear(src, w, h, sx, sy, fill);
            }
        }
        if (blur) dst = BoxBlur3(dst, w, h);
        if (Options.NoiseStd > 0) AddNoise(dst, Options.NoiseStd, rng);
        if (invert) for (int i = 0; i < dst.Length; i++) dst[i] = (byte)(255 - dst[i]);
        if (Options.CutoutFraction > 0) Cutout(dst, w, h, Options.CutoutFraction, rng);
        return new GrayImage(w, h, dst);
    }

    /// <param name="fill">Value of pixels outside the image, or -1 to clamp to the nearest edge pixel.</param>
    private static byte Bilinear(byte[] src, int w, int h, double x, double y, int fill)
    {
        int x0 = (int)Math.Floor(x), y0 = (int)Math.Floor(y);
        double fx = x - x0, fy = y - y0;
        double Get(int xi, int yi) =>
            xi >= 0 && yi >= 0 && xi < w && yi < h ? src[yi * w + xi]
            : fill >= 0 ? fill
            : src[Math.Clamp(yi, 0, h - 1) * w + Math.Clamp(xi, 0, w - 1)];
        double v = Get(x0, y0) * (1 - fx) * (1 - fy) + Get(x0 + 1, y0) * fx * (1 - fy)
                 + Get(x0, y0 + 1) * (1 - fx) * fy + Get(x0 + 1, y0 + 1) * fx * fy;
        return (byte)Math.Clamp((int)Math.Round(v), 0, 255);
    }

    private static byte BorderColour(GrayImage image)
    {
        int w = image.Width, h = image.Height;
        var edge = new List<byte>(2 * (w + h));
        for (int x = 0; x < w; x++) { edge.Add(image[x, 0]); edge.Add(image[x, h - 1]); }
        for (int y = 0; y < h; y++) { edge.Add(image[0, y]); edge.Add(image[w - 1, y]); }
        edge.Sort();
        return edge[edge.Count / 2];
    }

    private static byte[] BoxBlur3(byte[] src, int w, int h)
    {
        var dst = new byte[src.Length];
        for (int y = 0; y < h; y++)
            for (int x = 0; x < w; x++)
            {
                int sum = 0, n = 0;
                for (int dy = -1; dy <= 1; dy++)
                    for (int dx = -1; dx <= 1; dx++)
                    {
                        int xx = x + dx, yy = y + dy;
                        if (xx < 0 || yy < 0 || xx >= w || yy >= h) continue;
                        sum += src[yy * w + xx];
                        n++;
                    }
                dst[y * w + x] = (byte)((sum + n / 2) / n);
            }
        return dst;
    }

    /// <summary>A square of side fraction·min(w, h), centred anywhere in the image (so it may hang over an
    /// edge).</summary>
    private static void Cutout(byte[] pixels, int w, int h, float fraction, Random rng)
    {
        int side = Math.Max(1, (int)Math.Round(fraction * Math.Min(w, h)));
        int x0 = rng.Next(w) - side / 2, y0 = rng.Next(h) - side / 2;
        for (int y = Math.Max(0, y0); y < Math.Min(h, y0 + side); y++)
            for (int x = Math.Max(0, x0); x < Math.Min(w, x0 + side); x++)
                pixels[y * w + x] = 128;
    }

    /// <summary>Gaussian noise of standard deviation <paramref name="std"/> grey levels; synthesis draws sensor noise
    /// with it too.</summary>
    internal static void AddNoise(byte[] pixels, double std, Random rng)
    {
        // Marsaglia's polar method gives two normal samples per accepted pair with one log and one square root and no
        // trigonometry: noise was 80 % of a 200×50 augmentation with one Box–Muller sample per pixel.
        for (int i = 0; i < pixels.Length; i += 2)
        {
            double u, v, s;
            do
            {
                u = 2 * rng.NextDouble() - 1;
                v = 2 * rng.NextDouble() - 1;
                s = u * u + v * v;
            } while (s >= 1 || s == 0);
            double scale = Math.Sqrt(-2 * Math.Log(s) / s) * std;
            pixels[i] = AddClamped(pixels[i], u * scale);
            if (i + 1 < pixels.Length) pixels[i + 1] = AddClamped(pixels[i + 1], v * scale);
        }
    }

    private static byte AddClamped(byte pixel, double delta) =>
        (byte)Math.Clamp((int)Math.Round(pixel + delta), 0, 255);
}
