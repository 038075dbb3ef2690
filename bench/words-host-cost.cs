// What a word costs on the host side of the model, on one core: preprocessing a batch (resize, normalise, pack, as
// TextRecognizer.PredictAll does with the images sorted by width into batches of 64), the resize alone, and greedy
// CTC decoding of the model's outputs. The best of 25 passes, since this machine's speed varies from pass to pass.
// Run from the repository root, pinned:  taskset -c 1 dotnet run -c Release bench/words-host-cost.cs -- MODEL.onnx WORDS_FOLDER
// (-c Release: a script and the projects it references build Debug otherwise, and measure 3-4x slower)
#:project ../src/OcrForge.Inference/OcrForge.Inference.csproj
#:property PublishAot=false
#:property TieredCompilationQuickJitForLoops=false
using System.Diagnostics;
using OcrForge.Inference;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;
string model = args[0], folder = args[1];
var files = Directory.GetFiles(Path.Combine(folder, "images"), "*.png").Order(StringComparer.Ordinal).ToList();
var images = files.Select(ImageDecoder.DecodeFile).ToList();
using var engine = new OnnxEngine(model, threads: 1);
var recognizer = new TextRecognizer(engine);
var spec = engine.Info.Preprocess;
var order = Enumerable.Range(0, images.Count).OrderBy(i => Preprocessor.AspectWidth(images[i], spec)).ToArray();
var chunks = order.Chunk(64).Select(chunk => chunk.Select(i => images[i]).ToArray()).ToList();
var outputs = chunks.Select(chunk => engine.Run(EngineInput.Prepare(chunk, spec))).ToList();
double bestPrepare = double.MaxValue, bestResize = double.MaxValue, bestDecode = double.MaxValue;
for (int pass = 0; pass < 25; pass++)
{
    var clock = Stopwatch.StartNew();
    foreach (var chunk in chunks) EngineInput.Prepare(chunk, spec);
    bestPrepare = Math.Min(bestPrepare, clock.Elapsed.TotalMicroseconds);
    clock.Restart();
    foreach (var image in images) Preprocessor.Prepare(image, spec);
    bestResize = Math.Min(bestResize, clock.Elapsed.TotalMicroseconds);
    clock.Restart();
    foreach (var output in outputs) recognizer.Decode(output);
    bestDecode = Math.Min(bestDecode, clock.Elapsed.TotalMicroseconds);
}
int n = images.Count;
Console.WriteLine($"best of 25 passes, µs per word: preprocess {bestPrepare / n:F1} (the resize alone " +
    $"{bestResize / n:F1}), greedy decoding {bestDecode / n:F1}");
