// Preprocessor.Resize (managed) next to the Skia call it replaced (SKPixmap.ScalePixels, linear + linear mipmaps),
// on the same captchas in one process: microseconds per image and whether every output byte agrees.
// Run from the repository root:  dotnet run -c Release bench/resize-vs-skia.cs -- ../shared/data/captcha_images_v2 128 32
#:project ../src/OcrForge.Inference/OcrForge.Inference.csproj
#:property AllowUnsafeBlocks=true
using System.Diagnostics;
using System.Runtime.InteropServices;
using OcrForge.Inference.Imaging;
using SkiaSharp;

string folder = args.Length > 0 ? args[0] : "../shared/data/captcha_images_v2";
int width = args.Length > 1 ? int.Parse(args[1]) : 128, height = args.Length > 2 ? int.Parse(args[2]) : 32;
var images = Directory.GetFiles(folder, "*.png").Order(StringComparer.Ordinal).Take(400)
    .Select(ImageDecoder.DecodeFile).ToArray();

byte[] Skia(GrayImage image)
{
    var dst = new byte[width * height];
    var s = GCHandle.Alloc(image.Pixels, GCHandleType.Pinned);
    var d = GCHandle.Alloc(dst, GCHandleType.Pinned);
    using (var src = new SKPixmap(new SKImageInfo(image.Width, image.Height, SKColorType.Gray8, SKAlphaType.Opaque),
               s.AddrOfPinnedObject(), image.Width))
    using (var map = new SKPixmap(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque),
               d.AddrOfPinnedObject(), width))
        src.ScalePixels(map, new SKSamplingOptions(SKFilterMode.Linear, SKMipmapMode.Linear));
    s.Free();
    d.Free();
    return dst;
}

double Microseconds(Action<GrayImage> resize)
{
    foreach (var image in images) resize(image);   // warm-up
    var clock = Stopwatch.StartNew();
    for (int round = 0; round < 10; round++)
        foreach (var image in images) resize(image);
    return clock.Elapsed.TotalMicroseconds / (10.0 * images.Length);
}

int differ = images.Count(i => !Skia(i).AsSpan().SequenceEqual(Preprocessor.Resize(i, width, height).Pixels));
double skia = Microseconds(i => Skia(i)), ours = Microseconds(i => Preprocessor.Resize(i, width, height));
Console.WriteLine($"{images.Length} images {images[0].Width}x{images[0].Height} -> {width}x{height}: " +
    $"Skia {skia:F1} us, OcrForge {ours:F1} us per image ({skia / ours:F1}x); images with any byte different: {differ}");
