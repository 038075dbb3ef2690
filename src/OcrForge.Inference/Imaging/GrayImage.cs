namespace OcrForge.Inference.Imaging;

/// <summary>An 8-bit grayscale image, row-major, 0 = black. The one pixel type the whole pipeline works in.</summary>
public sealed class GrayImage
{
    public GrayImage(int width, int height, byte[] pixels)
    {
        if (width <= 0 || height <= 0)
            throw new ArgumentOutOfRangeException(nameof(width), "image size must be positive");
        if (pixels.Length != width * height)
            throw new ArgumentException($"expected {width * height} pixels, got {pixels.Length}", nameof(pixels));
        Width = width;
        Height = height;
        Pixels = pixels;
    }

    public int Width { get; }
    public int Height { get; }
    public byte[] Pixels { get; }

    public byte this[int x, int y] => Pixels[y * Width + x];
}
