using System.Buffers.Binary;
using OcrForge.Data;
using OcrForge.Inference.Imaging;
using SkiaSharp;

namespace OcrForge.Tests.Data;

/// <summary>Writes small image files, good and broken, for the data-layer tests.</summary>
internal static class DataFiles
{
    /// <summary>A gray gradient with a dark square whose place depends on <paramref name="mark"/>, so images differ.</summary>
    public static GrayImage Pattern(int width, int height, int mark = 0)
    {
        var pixels = new byte[width * height];
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                pixels[y * width + x] = (byte)(128 + 100 * x / width);
        int side = Math.Max(1, Math.Min(width, height) / 3);
        int ox = mark * 7 % Math.Max(1, width - side), oy = mark * 3 % Math.Max(1, height - side);
        for (int y = oy; y < oy + side; y++)
            for (int x = ox; x < ox + side; x++)
                pixels[y * width + x] = 10;
        return new GrayImage(width, height, pixels);
    }

    public static string Png(string path, int width = 20, int height = 10, int mark = 0)
    {
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        ImageWriter.WritePng(Pattern(width, height, mark), path);
        return path;
    }

    /// <summary>A colour image in any format Skia encodes (JPEG, WebP, PNG with alpha).</summary>
    public static string Encoded(string path, SKEncodedImageFormat format, SKColor colour, int width = 24, int height = 16)
    {
        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Unpremul));
        bitmap.Erase(colour);
        using var data = bitmap.Encode(format, 90);
        File.WriteAllBytes(path, data.ToArray());
        return path;
    }

    /// <summary>
    /// A JPEG stored <paramref name="width"/>×<paramref name="height"/> with its left half black and right half white,
    /// carrying an EXIF orientation tag (APP1 segment inserted right after the start-of-image marker).
    /// </summary>
    public static string JpegWithOrientation(string path, int width, int height, ushort orientation)
    {
        using var bitmap = new SKBitmap(width, height);
        using (var canvas = new SKCanvas(bitmap))
        {
            canvas.Clear(SKColors.White);
            using var black = new SKPaint { Color = SKColors.Black };
            canvas.DrawRect(0, 0, width / 2f, height, black);
        }
        using var data = bitmap.Encode(SKEncodedImageFormat.Jpeg, 95);
        var jpeg = data.ToArray();
        // "Exif\0\0", then a big-endian TIFF header, one IFD with the single entry 0x0112 (orientation, SHORT), no next IFD.
        byte[] tiff = [(byte)'M', (byte)'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, (byte)(orientation >> 8), (byte)orientation, 0, 0, 0, 0, 0, 0];
        byte[] exif = [.. "Exif\0\0"u8, .. tiff];
        byte[] app1 = [0xFF, 0xE1, (byte)((exif.Length + 2) >> 8), (byte)(exif.Length + 2), .. exif];
        File.WriteAllBytes(path, [.. jpeg[..2], .. app1, .. jpeg[2..]]);
        return path;
    }

    /// <summary>A 24-bit BMP written by hand (Skia reads BMP but does not write it): pure blue, bottom-up rows.</summary>
    public static string Bmp(string path, int width, int height)
    {
        int stride = (width * 3 + 3) & ~3;
        var bytes = new byte[54 + stride * height];
        bytes[0] = (byte)'B'; bytes[1] = (byte)'M';
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(2), bytes.Length);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(10), 54);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(14), 40);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(18), width);
        BinaryPrimitives.WriteInt32LittleEndian(bytes.AsSpan(22), height);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(26), 1);
        BinaryPrimitives.WriteInt16LittleEndian(bytes.AsSpan(28), 24);
        for (int y = 0; y < height; y++)
            for (int x = 0; x < width; x++)
                bytes[54 + y * stride + 3 * x] = 255; // BGR order: blue
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A valid PNG cut after half its bytes: the pixel data ends early.</summary>
    public static string TruncatedPng(string path)
    {
        var whole = ImageWriter.EncodePng(Noise(64, 64));
        File.WriteAllBytes(path, whole[..(whole.Length / 2)]);
        return path;
    }

    /// <summary>
    /// A PNG whose IHDR claims 100000×100000 pixels, with a correct CRC so that only the size is wrong; a decoder
    /// that trusted it would allocate 10 GB (40 GB as RGBA).
    /// </summary>
    public static string HugePng(string path)
    {
        var png = ImageWriter.EncodePng(Pattern(8, 8));
        // Signature (8 bytes), then IHDR: length (4), "IHDR" (4), width (4) at 16, height (4) at 20, 5 more bytes, CRC at 29.
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(16), 100_000);
        BinaryPrimitives.WriteInt32BigEndian(png.AsSpan(20), 100_000);
        BinaryPrimitives.WriteUInt32BigEndian(png.AsSpan(29), Crc32(png.AsSpan(12, 17)));
        File.WriteAllBytes(path, png);
        return path;
    }

    public static string RandomBytes(string path, int count = 500, int seed = 1)
    {
        var bytes = new byte[count];
        new Random(seed).NextBytes(bytes);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    public static string Empty(string path)
    {
        File.WriteAllBytes(path, []);
        return path;
    }

    /// <summary>PNG's CRC-32 (polynomial 0xEDB88320) over chunk type and data.</summary>
    private static uint Crc32(ReadOnlySpan<byte> bytes)
    {
        uint crc = 0xFFFFFFFF;
        foreach (var b in bytes)
        {
            crc ^= b;
            for (int k = 0; k < 8; k++) crc = (crc & 1) != 0 ? 0xEDB88320 ^ (crc >> 1) : crc >> 1;
        }
        return ~crc;
    }

    private static GrayImage Noise(int width, int height)
    {
        var pixels = new byte[width * height];
        new Random(7).NextBytes(pixels);
        return new GrayImage(width, height, pixels);
    }
}
