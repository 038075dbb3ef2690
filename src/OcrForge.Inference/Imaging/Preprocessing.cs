using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Text.Json.Serialization;
using OcrForge.Inference.Engines;

namespace OcrForge.Inference.Imaging;

/// <summary>
/// How a decoded image becomes a model input: fitted to Width×Height (see <see cref="ResizeMode"/>), scaled to
/// [0, 1], optionally inverted (ink = 1), then (x − Mean) / Std. Stored in every model file, so training and every
/// inference engine use the same numbers; <see cref="Preprocessor"/> is the one implementation of it.
/// </summary>
/// <param name="AutoContrast">
/// Per image: a background darker than the ink is flipped to light, then the range is stretched to 0–255.
/// Natural-scene characters come light-on-dark and dark-on-light at every contrast; this takes both variations out of
/// the input.
/// </param>
/// <param name="FrameWidth">
/// Variable-width models only (<see cref="ResizeMode.KeepAspect"/>): input pixels per output frame, the product of the
/// model's horizontal pooling. A batch's width is rounded up to a multiple of it, and an image <c>w</c> pixels wide
/// owns the first ⌈w / FrameWidth⌉ frames of its row. Left out of the JSON when 0, so fixed-size models are written
/// exactly as before it existed.
/// </param>
public sealed record PreprocessSpec(int Width, int Height, float Mean = 0f, float Std = 1f, bool Invert = false,
    ResizeMode Resize = ResizeMode.Stretch, bool AutoContrast = false,
    [property: JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingDefault)] int FrameWidth = 0)
{
    public int Channels => 1;

    /// <summary>True when images keep their aspect and <see cref="Width"/> is only the maximum width.</summary>
    [JsonIgnore] public bool VariableWidth => Resize == ResizeMode.KeepAspect;

    /// <summary>Frames an image of this prepared width owns (variable width); a fixed-size model has no per-image
    /// count.</summary>
    public int FramesOf(int width) => (width + Math.Max(FrameWidth, 1) - 1) / Math.Max(FrameWidth, 1);

    /// <summary>
    /// The width of a batch of <paramref name="batch"/> images held in <paramref name="floats"/> values: the model's
    /// width, or for a variable-width model any positive multiple of <see cref="FrameWidth"/> (a padded batch).
    /// </summary>
    public int BatchWidth(int floats, int batch)
    {
        if (!VariableWidth)
            return floats == batch * Width * Height ? Width
                : throw new ArgumentException($"input holds {floats} floats, expected {batch}×1×{Height}×{Width}");
        int step = Math.Max(FrameWidth, 1);
        if (batch <= 0 || floats <= 0 || floats % (batch * Height) != 0 || floats / (batch * Height) % step != 0)
            throw new ArgumentException(
                $"input holds {floats} floats, expected {batch}×1×{Height}×W with W a multiple of {step}");
        return floats / (batch * Height);
    }
}

/// <summary>How an image of another shape is brought to the model's input size.</summary>
public enum ResizeMode
{
    /// <summary>Scale each axis independently (text lines of a fixed aspect, captchas).</summary>
    Stretch,
    /// <summary>
    /// Pad to the target aspect with the image's border colour, then scale: keeps a character's proportions, so a
    /// tall "1" and a wide "W" cropped from natural scenes are not distorted into the same square blob.
    /// </summary>
    Pad,
    /// <summary>
    /// Scale to the model's height keeping the aspect ratio (text of any length): <see cref="PreprocessSpec.Width"/>
    /// is the most an image may be, and a wider one is squeezed to it. A batch is padded on the right to its widest
    /// image with each image's own background (its border colour, see <see cref="Preprocessor.BorderColour"/>), so
    /// padding looks like more paper rather than a black bar; every image's frame count travels with the batch.
    /// </summary>
    KeepAspect,
}

public static class Preprocessor
{
    /// <summary>
    /// Bilinear resize blended between mipmap levels, so strong down-scaling does not alias: byte for byte what
    /// Skia's <c>ScalePixels</c> (linear filter, linear mipmaps) gives, at a fraction of its cost
    /// (<see cref="MipmapResampler"/>).
    /// </summary>
    public static GrayImage Resize(GrayImage image, int width, int height)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), $"resize to {width}x{height}: sides must be positive");
        return image.Width == width && image.Height == height ? image : MipmapResampler.Resize(image, width, height);
    }

    /// <summary>The image brought to the spec's input size by its <see cref="ResizeMode"/>.</summary>
    public static GrayImage Fit(GrayImage image, PreprocessSpec spec) => spec.Resize switch
    {
        ResizeMode.Pad => Resize(PadToAspect(image, spec.Width, spec.Height), spec.Width, spec.Height),
        ResizeMode.KeepAspect => Resize(image, AspectWidth(image, spec), spec.Height),
        _ => Resize(image, spec.Width, spec.Height),
    };

    /// <summary>The width of the image scaled to the spec's height, at least 1 and at most the spec's width.</summary>
    public static int AspectWidth(GrayImage image, PreprocessSpec spec) =>
        (int)Math.Clamp(Math.Round((double)image.Width * spec.Height / image.Height), 1, spec.Width);

    /// <summary>
    /// Centres the image on a canvas of the target aspect ratio filled with its border colour (the median of its
    /// edge pixels: the background around a cropped character).
    /// </summary>
    public static GrayImage PadToAspect(GrayImage image, int width, int height)
    {
        // Compare w/h with width/height in integers: the canvas grows along the axis that is too short.
        long lhs = (long)image.Width * height, rhs = (long)image.Height * width;
        if (lhs == rhs) return image;
        int canvasW = lhs > rhs ? image.Width : (int)Math.Ceiling((double)rhs / height);
        int canvasH = lhs > rhs ? (int)Math.Ceiling((double)lhs / width) : image.Height;
        byte fill = BorderColour(image);
        var canvas = new byte[canvasW * canvasH];
        Array.Fill(canvas, fill);
        int left = (canvasW - image.Width) / 2, top = (canvasH - image.Height) / 2;
        for (int y = 0; y < image.Height; y++)
            Array.Copy(image.Pixels, y * image.Width, canvas, (top + y) * canvasW + left, image.Width);
        return new GrayImage(canvasW, canvasH, canvas);
    }

    /// <summary>The median of the image's edge pixels: the background colour around a cropped character or
    /// word.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static byte BorderColour(GrayImage image)
    {
        int w = image.Width, h = image.Height;
        var histogram = new int[256];
        for (int x = 0; x < w; x++) { histogram[image[x, 0]]++; histogram[image[x, h - 1]]++; }
        for (int y = 0; y < h; y++) { histogram[image[0, y]]++; histogram[image[w - 1, y]]++; }
        int half = (2 * (w + h) + 1) / 2, seen = 0;
        for (int v = 0; v < 256; v++)
            if ((seen += histogram[v]) >= half) return (byte)v;
        return 255;
    }

    /// <summary>
    /// The image at the input size with every per-image step applied (fit, auto-contrast): what training caches and
    /// augments, and what inference feeds to <see cref="Normalize"/>.
    /// </summary>
    public static GrayImage Prepare(GrayImage image, PreprocessSpec spec)
    {
        var sized = Fit(image, spec);
        return spec.AutoContrast ? ApplyAutoContrast(sized) : sized;
    }

    /// <summary>Dark backgrounds flipped to light (border colour below the image mean), then min–max stretched to
    /// 0–255.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static GrayImage ApplyAutoContrast(GrayImage image)
    {
        var src = image.Pixels;
        long sum = 0;
        int min = 255, max = 0;
        foreach (var p in src) { sum += p; min = Math.Min(min, p); max = Math.Max(max, p); }
        bool flip = BorderColour(image) < (double)sum / src.Length;
        int range = Math.Max(1, max - min);
        var dst = new byte[src.Length];
        for (int i = 0; i < src.Length; i++)
        {
            int v = (src[i] - min) * 255 / range;
            dst[i] = (byte)(flip ? 255 - v : v);
        }
        return new GrayImage(image.Width, image.Height, dst);
    }

    /// <summary>Prepared pixels as the model's float input (one channel, row-major) written into
    /// <paramref name="destination"/>.</summary>
    public static void ToTensor(GrayImage image, PreprocessSpec spec, Span<float> destination) =>
        Normalize(Prepare(image, spec).Pixels, spec, destination);

    public static float[] ToTensor(GrayImage image, PreprocessSpec spec)
    {
        var result = new float[spec.Width * spec.Height];
        ToTensor(image, spec, result);
        return result;
    }

    /// <summary>
    /// Prepared images (<see cref="Prepare"/>, possibly augmented) as one model input [N, 1, H, W]: the one place
    /// where training and every engine lay out a batch. Fixed size: every image is the spec's size. Variable width:
    /// W is the widest image rounded up to <see cref="PreprocessSpec.FrameWidth"/>; each row is padded on the right
    /// with its image's normalised border colour, and the input records every image's frame count and fill.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static EngineInput Pack(IReadOnlyList<GrayImage> prepared, PreprocessSpec spec)
    {
        int count = prepared.Count, height = spec.Height;
        if (!spec.VariableWidth)
        {
            int size = spec.Width * height;
            var fixedData = new float[count * size];
            For(count, i =>
            {
                var image = prepared[i];
                if (image.Width != spec.Width || image.Height != height)
                    throw new ArgumentException(
                        $"image {i} is {image.Width}x{image.Height}, expected {spec.Width}x{height}", nameof(prepared));
                Normalize(image.Pixels, spec, fixedData.AsSpan(i * size, size));
            });
            return new EngineInput(fixedData, count, height, spec.Width);
        }
        int step = Math.Max(spec.FrameWidth, 1);
        int widest = count == 0 ? step : prepared.Max(p => p.Width);
        int width = (widest + step - 1) / step * step;
        var data = new float[count * height * width];
        var frames = new int[count];
        var fills = new float[count];
        For(count, i =>
        {
            var image = prepared[i];
            if (image.Height != height)
                throw new ArgumentException($"image {i} is {image.Height} px high, expected {height}",
                    nameof(prepared));
            Span<float> fill = stackalloc float[1];
            Normalize([BorderColour(image)], spec, fill);
            var row = data.AsSpan(i * height * width, height * width);
            row.Fill(fill[0]);
            for (int y = 0; y < height; y++)
                Normalize(image.Pixels.AsSpan(y * image.Width, image.Width), spec, row.Slice(y * width, image.Width));
            frames[i] = spec.FramesOf(image.Width);
            fills[i] = fill[0];
        });
        return new EngineInput(data, count, height, width) { Frames = frames, Fill = fills };
    }

    /// <summary>
    /// Runs the body for every image: on the thread pool for a real batch on several cores, inline for a few images
    /// (a served request runs beside many others, and fanning out one image only adds scheduling) or on one core.
    /// A cancelled token stops it between images with <see cref="OperationCanceledException"/>.
    /// </summary>
    internal static void For(int count, Action<int> body, CancellationToken cancellationToken = default)
    {
        if (count < 8 || Environment.ProcessorCount == 1)
        {
            for (int i = 0; i < count; i++)
            {
                cancellationToken.ThrowIfCancellationRequested();
                body(i);
            }
        }
        else
        {
            Parallel.For(0, count, new ParallelOptions { CancellationToken = cancellationToken }, body);
        }
    }

    /// <summary>Scales already-sized pixels; used by training on cached, augmented bytes and by <see cref="Pack"/>.
    /// Eight pixels at a time where the CPU allows: the same float operations per pixel as the scalar loop (an exact
    /// int-to-float conversion, one multiply, one subtract), so both give the same bits.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static void Normalize(ReadOnlySpan<byte> pixels, PreprocessSpec spec, Span<float> destination)
    {
        if (destination.Length < pixels.Length)
            throw new ArgumentException("destination too small", nameof(destination));
        float scale = 1f / (255f * spec.Std);
        float offset = spec.Mean / spec.Std;
        bool invert = spec.Invert;
        int i = 0;
        if (Vector256.IsHardwareAccelerated)
        {
            var scales = Vector256.Create(scale);
            var offsets = Vector256.Create(offset);
            var white = Vector256.Create(255);
            ref byte source = ref MemoryMarshal.GetReference(pixels);
            ref float target = ref MemoryMarshal.GetReference(destination);
            for (; i <= pixels.Length - 8; i += 8)
            {
                var bytes = Vector128.CreateScalarUnsafe(Unsafe.ReadUnaligned<ulong>(ref Unsafe.Add(ref source, i)))
                    .AsByte();
                var ints = Vector256.WidenLower(Vector128.WidenLower(bytes).ToVector256Unsafe()).AsInt32();
                if (invert) ints = white - ints;
                (Vector256.ConvertToSingle(ints) * scales - offsets).StoreUnsafe(ref target, (nuint)i);
            }
        }
        for (; i < pixels.Length; i++)
        {
            int p = invert ? 255 - pixels[i] : pixels[i];
            destination[i] = p * scale - offset;
        }
    }
}
