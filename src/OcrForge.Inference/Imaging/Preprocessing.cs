using SkiaSharp;

namespace OcrForge.Inference.Imaging;

/// <summary>
/// How a decoded image becomes a model input: stretched to Width×Height, scaled to [0, 1], optionally inverted
/// (ink = 1), then (x − Mean) / Std. Stored in every model file, so training and every inference engine use the
/// same numbers; <see cref="Preprocessor"/> is the one implementation of it.
/// </summary>
public sealed record PreprocessSpec(int Width, int Height, float Mean = 0f, float Std = 1f, bool Invert = false)
{
    public int Channels => 1;
}

public static class Preprocessor
{
    private static readonly SKSamplingOptions Sampling = new(SKFilterMode.Linear, SKMipmapMode.Linear);

    /// <summary>Bilinear resize (with mipmaps, so strong down-scaling does not alias).</summary>
    public static GrayImage Resize(GrayImage image, int width, int height)
    {
        if (image.Width == width && image.Height == height) return image;
        var srcInfo = new SKImageInfo(image.Width, image.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        var dstInfo = new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque);
        var dst = new byte[width * height];
        unsafe
        {
            fixed (byte* s = image.Pixels)
            fixed (byte* d = dst)
            {
                using var src = new SKPixmap(srcInfo, (IntPtr)s, image.Width);
                using var dstMap = new SKPixmap(dstInfo, (IntPtr)d, width);
                if (!src.ScalePixels(dstMap, Sampling))
                    throw new InvalidOperationException($"resize {image.Width}x{image.Height} -> {width}x{height} failed");
            }
        }
        return new GrayImage(width, height, dst);
    }

    /// <summary>Resized pixels as the model's float input (one channel, row-major) written into <paramref name="destination"/>.</summary>
    public static void ToTensor(GrayImage image, PreprocessSpec spec, Span<float> destination)
    {
        var sized = Resize(image, spec.Width, spec.Height);
        Normalize(sized.Pixels, spec, destination);
    }

    public static float[] ToTensor(GrayImage image, PreprocessSpec spec)
    {
        var result = new float[spec.Width * spec.Height];
        ToTensor(image, spec, result);
        return result;
    }

    /// <summary>Scales already-sized pixels; used by training on cached, augmented bytes.</summary>
    public static void Normalize(ReadOnlySpan<byte> pixels, PreprocessSpec spec, Span<float> destination)
    {
        if (destination.Length < pixels.Length) throw new ArgumentException("destination too small", nameof(destination));
        float scale = 1f / (255f * spec.Std);
        float offset = spec.Mean / spec.Std;
        for (int i = 0; i < pixels.Length; i++)
        {
            int p = spec.Invert ? 255 - pixels[i] : pixels[i];
            destination[i] = p * scale - offset;
        }
    }
}
