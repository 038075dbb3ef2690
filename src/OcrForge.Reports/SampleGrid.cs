using OcrForge.Data;
using OcrForge.IO;
using SkiaSharp;

namespace OcrForge.Reports;

/// <summary>
/// A grid of labelled samples (the 4×4 matplotlib figure of the Keras examples): each image scaled to a common
/// cell, its label underneath. Small images such as 28×28 characters are scaled up with nearest-neighbour sampling
/// so their pixels stay visible.
/// </summary>
public static class SampleGrid
{
    public static void Write(IReadOnlyList<Sample> samples, string path, int columns = 4, int rows = 4,
        string? title = null)
    {
        if (samples.Count == 0) throw new ArgumentException("no samples to draw", nameof(samples));
        var shown = samples.Take(columns * rows).ToList();
        rows = (shown.Count + columns - 1) / columns;

        // One cell shape for all: the median aspect ratio, so a dataset of captchas gets wide cells, characters square
        // ones.
        var aspects = shown.Select(s => (double)s.Image.Width / s.Image.Height).Order().ToList();
        double aspect = Math.Clamp(aspects[aspects.Count / 2], 0.25, 8);
        const int cellArea = 200 * 100;
        int cellW = (int)Math.Round(Math.Sqrt(cellArea * aspect)), cellH = (int)Math.Round(cellW / aspect);
        const int pad = 12, captionH = 26;
        int titleH = title is null ? 0 : 34;
        int width = columns * (cellW + pad) + pad, height = titleH + rows * (cellH + captionH + pad) + pad;

        using var bitmap = new SKBitmap(new SKImageInfo(width, height, SKColorType.Rgba8888, SKAlphaType.Premul));
        using var canvas = new SKCanvas(bitmap);
        canvas.Clear(SKColors.White);
        using var captionFont = new SKFont(InstalledFonts.Caption, 17);
        using var titleFont = new SKFont(InstalledFonts.Caption, 18) { Embolden = true };
        using var ink = new SKPaint { Color = SKColors.Black, IsAntialias = true };
        using var frame = new SKPaint
        {
            Color = new SKColor(200, 200, 200), Style = SKPaintStyle.Stroke, StrokeWidth = 1
        };
        if (title is not null) canvas.DrawText(Ellipsize(title, width - 2 * pad, titleFont), pad, 24, titleFont, ink);

        for (int i = 0; i < shown.Count; i++)
        {
            int x = pad + i % columns * (cellW + pad), y = titleH + pad + i / columns * (cellH + captionH + pad);
            var image = shown[i].Image;
            // Fit inside the cell keeping the image's own aspect ratio, centred.
            float scale = Math.Min((float)cellW / image.Width, (float)cellH / image.Height);
            float w = image.Width * scale, h = image.Height * scale;
            var dest = SKRect.Create(x + (cellW - w) / 2, y + (cellH - h) / 2, w, h);
            using (var picture = ToSkImage(image))
            {
                var sampling = scale >= 3
                    ? new SKSamplingOptions(SKFilterMode.Nearest)
                    : new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear);
                canvas.DrawImage(picture, dest, sampling);
            }
            canvas.DrawRect(dest, frame);
            var caption = Ellipsize(shown[i].Label, cellW, captionFont);
            canvas.DrawText(caption, x + cellW / 2f, y + cellH + captionH - 7, SKTextAlign.Center, captionFont, ink);
        }
        canvas.Flush();

        using var png = bitmap.Encode(SKEncodedImageFormat.Png, 100);
        AtomicFile.Write(path, stream => png.SaveTo(stream));
    }

    /// <summary>Evenly spaced picks over the whole list, so a dataset sorted by class shows many classes.</summary>
    public static IReadOnlyList<Sample> Pick(IReadOnlyList<Sample> samples, int count = 16) =>
        samples.Count <= count ? samples
            : Enumerable.Range(0, count).Select(i => samples[(int)((long)i * samples.Count / count)]).ToList();

    private static SKImage ToSkImage(OcrForge.Inference.Imaging.GrayImage image)
    {
        var info = new SKImageInfo(image.Width, image.Height, SKColorType.Gray8, SKAlphaType.Opaque);
        using var data = SKData.CreateCopy(image.Pixels);
        return SKImage.FromPixels(info, data, image.Width);
    }

    private static string Ellipsize(string text, float maxWidth, SKFont font)
    {
        if (font.MeasureText(text) <= maxWidth) return text;
        while (text.Length > 1 && font.MeasureText(text + "…") > maxWidth) text = text[..^1];
        return text + "…";
    }
}
