using OcrForge.Inference.Imaging;
using OcrForge.IO;
using SkiaSharp;

namespace OcrForge.Reports;

/// <summary>Generated characters tiled into one PNG (a square-ish grid, scaled up so 32×32 images are
/// visible).</summary>
public static class GanSampleGrid
{
    private const int Scale = 3;
    private const int Gap = 2;

    public static void Save(string path, IReadOnlyList<GrayImage> images, string title)
    {
        if (images.Count == 0) throw new ArgumentException("no images to tile", nameof(images));
        int columns = (int)Math.Ceiling(Math.Sqrt(images.Count));
        int rows = (images.Count + columns - 1) / columns;
        int cellW = images[0].Width * Scale, cellH = images[0].Height * Scale;
        const int header = 24;
        int width = columns * (cellW + Gap) + Gap, height = header + rows * (cellH + Gap) + Gap;

        using var surface = SKSurface.Create(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        var canvas = surface.Canvas;
        canvas.Clear(new SKColor(64, 64, 64));
        using (var font = new SKFont(SKTypeface.Default, 14))
        using (var paint = new SKPaint { Color = SKColors.White, IsAntialias = true })
            canvas.DrawText(title, Gap, 17, font, paint);

        var sampling = new SKSamplingOptions(SKFilterMode.Nearest);
        for (int i = 0; i < images.Count; i++)
        {
            var image = images[i];
            using var bitmap = new SKBitmap(
                new SKImageInfo(image.Width, image.Height, SKColorType.Gray8, SKAlphaType.Opaque));
            System.Runtime.InteropServices.Marshal.Copy(image.Pixels, 0, bitmap.GetPixels(), image.Pixels.Length);
            using var tile = SKImage.FromBitmap(bitmap);
            int x = Gap + i % columns * (cellW + Gap), y = header + Gap + i / columns * (cellH + Gap);
            canvas.DrawImage(tile, new SKRect(x, y, x + cellW, y + cellH), sampling);
        }

        using var snapshot = surface.Snapshot();
        using var data = snapshot.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, s => data.SaveTo(s));
    }
}
