// Where a word model's time goes, per image, on one core: reading and decoding the PNGs (SkiaSharp), preprocessing,
// the ONNX Runtime forward pass and CTC decoding, with the images sorted by width into batches as
// TextRecognizer.PredictAll does; three passes (the first pays for JIT and allocation), then an ONNX Runtime profile
// of three more passes, summed per node over the last one.
// Run from the repository root:  dotnet run -c Release bench/words-time.cs -- MODEL.onnx WORDS_FOLDER [BATCH=64]
#:project ../src/OcrForge.Inference/OcrForge.Inference.csproj
#:property PublishAot=false
#:property TieredCompilationQuickJitForLoops=false
using System.Diagnostics;
using System.Text.Json;
using Microsoft.ML.OnnxRuntime;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;

string model = args[0], folder = args[1];
int batch = args.Length > 2 ? int.Parse(args[2]) : 64;
var files = Directory.GetFiles(Path.Combine(folder, "images"), "*.png").Order(StringComparer.Ordinal).ToList();
var images = new List<GrayImage>();
for (int pass = 0; pass < 3; pass++)
{
    var clock = Stopwatch.StartNew();
    images = files.Select(ImageDecoder.DecodeFile).ToList();
    Console.WriteLine($"pass {pass + 1}: read + decode {clock.Elapsed.TotalMicroseconds / files.Count:F0} µs/image");
}
using var engine = new OnnxEngine(model, threads: 1);
var recognizer = new TextRecognizer(engine);
var spec = engine.Info.Preprocess;
var order = Enumerable.Range(0, images.Count).OrderBy(i => Preprocessor.AspectWidth(images[i], spec)).ToArray();
for (int pass = 0; pass < 3; pass++)
{
    double prepare = 0, run = 0, decode = 0;
    foreach (var chunk in order.Chunk(batch))
    {
        var clock = Stopwatch.StartNew();
        var input = EngineInput.Prepare([.. chunk.Select(i => images[i])], spec);
        prepare += clock.Elapsed.TotalMicroseconds;
        clock.Restart();
        var output = engine.Run(input);
        run += clock.Elapsed.TotalMicroseconds;
        clock.Restart();
        recognizer.Decode(output);
        decode += clock.Elapsed.TotalMicroseconds;
    }
    int n = images.Count;
    Console.WriteLine($"pass {pass + 1}: preprocess {prepare / n:F0}, forward {run / n:F0}, CTC decode {decode / n:F0} " +
        $"µs/image; {n * 1e6 / (prepare + run + decode):F0} images/s");
}

var options = new SessionOptions { IntraOpNumThreads = 1, GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL };
options.EnableProfiling = true;
options.ProfileOutputPathPrefix = Path.Combine(Path.GetTempPath(), "words-time");
using var session = new InferenceSession(model, options);
for (int pass = 0; pass < 3; pass++)
    foreach (var chunk in order.Chunk(batch))
    {
        var input = EngineInput.Prepare([.. chunk.Select(i => images[i])], spec);
        using var tensor = OrtValue.CreateTensorValueFromMemory(input.Data, [input.Count, 1, input.Height, input.Width]);
        using var runOptions = new RunOptions();
        using var results = session.Run(runOptions, [session.InputNames[0]], [tensor], [session.OutputNames[0]]);
    }
var profile = session.EndProfiling();
var nodes = JsonDocument.Parse(File.ReadAllText(profile)).RootElement.EnumerateArray()
    .Where(e => e.TryGetProperty("cat", out var c) && c.GetString() == "Node"
        && e.GetProperty("name").GetString()!.EndsWith("_kernel_time", StringComparison.Ordinal))
    .ToList();
File.Delete(profile);
var last = nodes.Skip(2 * nodes.Count / 3)
    .GroupBy(e => e.GetProperty("args").GetProperty("op_name").GetString()!)
    .Select(g => (Op: g.Key, Ms: g.Sum(e => e.GetProperty("dur").GetDouble()) / 1000))
    .OrderByDescending(g => g.Ms).ToList();
double total = last.Sum(g => g.Ms);
Console.WriteLine($"ONNX Runtime profile, last pass over {images.Count} images: {total:F1} ms");
foreach (var (op, ms) in last) Console.WriteLine($"  {op,-28} {ms,7:F1} ms {100 * ms / total,5:F1} %");
