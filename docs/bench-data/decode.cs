#:project ../../src/OcrForge.Inference/OcrForge.Inference.csproj
#:property AllowUnsafeBlocks=true
using System.Diagnostics;
using OcrForge.Inference.Imaging;
using SkiaSharp;
// Single thread, files already in memory: decoding alone, gray fast path vs the RGBA + luma path it replaced.
var files = Directory.GetFiles(Path.Combine(args.Length > 0 ? args[0] : "../../../shared/data", "chars74k", "English", "Fnt"), "*.png", SearchOption.AllDirectories);
var bytes = files.Select(File.ReadAllBytes).ToArray();
for (int rep = 0; rep < 3; rep++) {
  var cpu = Process.GetCurrentProcess().TotalProcessorTime;
  foreach (var b in bytes) ImageDecoder.Decode(b);
  var fast = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
  cpu = Process.GetCurrentProcess().TotalProcessorTime;
  foreach (var b in bytes) {
    using var data = SKData.CreateCopy(b); using var codec = SKCodec.Create(data);
    var info = new SKImageInfo(codec.Info.Width, codec.Info.Height, SKColorType.Rgba8888, SKAlphaType.Unpremul);
    var px = new byte[info.BytesSize];
    unsafe { fixed (byte* p = px) codec.GetPixels(info, (IntPtr)p); }
    var gray = new byte[px.Length / 4];
    for (int i = 0; i < gray.Length; i++) gray[i] = (byte)((px[4*i] * 299 + px[4*i+1] * 587 + px[4*i+2] * 114 + 500) / 1000);
  }
  var old = (Process.GetCurrentProcess().TotalProcessorTime - cpu).TotalSeconds;
  Console.WriteLine($"{bytes.Length} Fnt PNGs, CPU time: gray fast path {fast:F2} s ({bytes.Length/fast:F0}/s), RGBA+luma {old:F2} s ({bytes.Length/old:F0}/s); load {File.ReadAllText("/proc/loadavg").Trim()}");
}
