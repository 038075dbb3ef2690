using System.Runtime.CompilerServices;
using SkiaSharp;

namespace OcrForge.Inference.Imaging;

/// <summary>
/// Decodes PNG/JPEG/BMP/GIF/WebP (grayscale, RGB or RGBA) into <see cref="GrayImage"/>.
/// Every failure is an <see cref="OcrForgeException"/> whose message names the file and the problem.
/// </summary>
public static class ImageDecoder
{
    /// <summary>Images larger than this on a side are rejected before their pixels are allocated.</summary>
    public const int MaxSide = 16384;
    public const long MaxPixels = 64L * 1024 * 1024;

    public static GrayImage DecodeFile(string path)
    {
        byte[] bytes;
        try { bytes = File.ReadAllBytes(path); }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new OcrForgeException($"{path}: cannot read file ({e.Message})", e);
        }
        return Decode(bytes, path);
    }

    public static GrayImage Decode(ReadOnlySpan<byte> encoded, string name = "<image>")
    {
        if (encoded.Length == 0) throw new OcrForgeException($"{name}: empty file");
        using var data = SKData.CreateCopy(encoded);
        using var stream = new SKMemoryStream(data);
        using var codec = SKCodec.Create(stream, out var result);
        if (codec is null) throw new OcrForgeException($"{name}: not a readable image ({Describe(result)})");

        var info = codec.Info;
        if (info.Width <= 0 || info.Height <= 0 || info.Width > MaxSide || info.Height > MaxSide
            || (long)info.Width * info.Height > MaxPixels)
            throw new OcrForgeException($"{name}: image of {info.Width}x{info.Height} pixels is outside the supported "
                + $"size (at most {MaxSide} per side, {MaxPixels} pixels)");

        // Gray PNGs (captchas, Chars74K Fnt) decode straight into the result: no RGBA buffer, no conversion pass.
        if (info.ColorType == SKColorType.Gray8 && info.AlphaType == SKAlphaType.Opaque)
        {
            var gray = new byte[info.Width * info.Height];
            CheckDecoded(
                Decode(codec, new SKImageInfo(info.Width, info.Height, SKColorType.Gray8, SKAlphaType.Opaque), gray),
                name);
            return Orient(new GrayImage(info.Width, info.Height, gray), codec.EncodedOrigin);
        }

        // Decode to premultiplied-free RGBA so every other source layout arrives the same way; we convert to gray
        // ourselves.
        var rgbaInfo = new SKImageInfo(info.Width, info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
        var rgba = new byte[rgbaInfo.BytesSize];
        CheckDecoded(Decode(codec, rgbaInfo, rgba), name);
        return Orient(new GrayImage(info.Width, info.Height, ToGray(rgba, info.Width * info.Height)),
            codec.EncodedOrigin);
    }

    /// <summary>
    /// Turns the stored pixels upright as image viewers show them: phone JPEGs are often stored sideways with an EXIF
    /// orientation tag, and a label describes what the person saw, not the sensor's row order.
    /// </summary>
    private static GrayImage Orient(GrayImage image, SKEncodedOrigin origin)
    {
        if (origin == SKEncodedOrigin.TopLeft) return image;
        int w = image.Width, h = image.Height;
        bool swap = origin >= SKEncodedOrigin.LeftTop;
        int outW = swap ? h : w, outH = swap ? w : h;
        var src = image.Pixels;
        var dst = new byte[src.Length];
        for (int y = 0; y < outH; y++)
            for (int x = 0; x < outW; x++)
            {
                // (sx, sy): the stored pixel shown at (x, y).
                var (sx, sy) = origin switch
                {
                    SKEncodedOrigin.TopRight => (w - 1 - x, y),
                    SKEncodedOrigin.BottomRight => (w - 1 - x, h - 1 - y),
                    SKEncodedOrigin.BottomLeft => (x, h - 1 - y),
                    SKEncodedOrigin.LeftTop => (y, x),
                    SKEncodedOrigin.RightTop => (y, h - 1 - x),
                    SKEncodedOrigin.RightBottom => (w - 1 - y, h - 1 - x),
                    _ => (w - 1 - y, x), // LeftBottom
                };
                dst[y * outW + x] = src[sy * w + sx];
            }
        return new GrayImage(outW, outH, dst);
    }

    private static unsafe SKCodecResult Decode(SKCodec codec, SKImageInfo target, byte[] pixels)
    {
        fixed (byte* p = pixels) return codec.GetPixels(target, (IntPtr)p);
    }

    /// <summary>IncompleteInput means a truncated file: reject it rather than train on half an image.</summary>
    private static void CheckDecoded(SKCodecResult result, string name)
    {
        if (result != SKCodecResult.Success)
            throw new OcrForgeException($"{name}: image data is damaged or truncated ({Describe(result)})");
    }

    /// <summary>
    /// ITU-R 601 luma with integer weights (as PIL's convert("L")), composited over white so that transparent
    /// backgrounds read as paper, not as ink.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static byte[] ToGray(byte[] rgba, int count)
    {
        var gray = new byte[count];
        for (int i = 0; i < count; i++)
        {
            int r = rgba[4 * i], g = rgba[4 * i + 1], b = rgba[4 * i + 2], a = rgba[4 * i + 3];
            int luma = (r * 299 + g * 587 + b * 114 + 500) / 1000;
            gray[i] = a == 255 ? (byte)luma : (byte)((luma * a + 255 * (255 - a) + 127) / 255);
        }
        return gray;
    }

    private static string Describe(SKCodecResult r) => r switch
    {
        SKCodecResult.IncompleteInput => "truncated",
        SKCodecResult.ErrorInInput => "corrupt data",
        SKCodecResult.InvalidInput => "invalid data",
        SKCodecResult.Unimplemented => "unsupported format",
        _ => r.ToString(),
    };
}
