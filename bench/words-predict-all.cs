// What reading a folder of words costs per image on this machine, the way eval and predict read them
// (TextRecognizer.PredictAll: preprocessing, the forward pass and CTC decoding of images already decoded), for several
// batch sizes and numbers of batches side by side. Every setting runs PASSES passes over the words, the settings
// interleaved so that a slow minute of a shared machine hits them alike; the best pass after the first four (JIT and
// allocation) is printed.
// Run from the repository root, pinned to as many cores as batches side by side:
//   taskset -c 0 dotnet run -c Release bench/words-predict-all.cs -- MODEL.onnx WORDS_FOLDER [WORD_LIST|-]
//       [BATCH_SIZES=16,32,64] [SIDE_BY_SIDE=1] [PASSES=12]
// WORD_LIST decodes with the list as a prior (as eval --lexicon-mode prior); "-" or nothing decodes greedily.
#:project ../src/OcrForge.Inference/OcrForge.Inference.csproj
#:property PublishAot=false
#:property TieredCompilationQuickJitForLoops=false
using System.Diagnostics;
using OcrForge.Inference;
using OcrForge.Inference.Decoding;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;

string model = args[0], folder = args[1];
string? wordList = args.Length > 2 && args[2] != "-" ? args[2] : null;
int[] batchSizes = (args.Length > 3 ? args[3] : "16,32,64").Split(',').Select(int.Parse).ToArray();
int sideBySide = args.Length > 4 ? int.Parse(args[4]) : 1;
int passes = args.Length > 5 ? int.Parse(args[5]) : 12;
var files = Directory.GetFiles(Path.Combine(folder, "images"), "*.png").Order(StringComparer.Ordinal).ToList();
var images = files.Select(ImageDecoder.DecodeFile).ToList();
using var engine = new OnnxEngine(model, threads: 1);
var lexicon = wordList is null ? null : new LexiconOptions(Lexicon.Load(wordList, engine.Info.Charset), LexiconMode.Prior);
var recognizer = new TextRecognizer(engine) { Lexicon = lexicon, ConcurrentBatches = sideBySide };
var best = batchSizes.ToDictionary(b => b, _ => double.MaxValue);
for (int pass = 0; pass < passes; pass++)
    foreach (int batch in batchSizes)
    {
        var clock = Stopwatch.StartNew();
        recognizer.PredictAll(images, batch);
        if (pass >= 4) best[batch] = Math.Min(best[batch], clock.Elapsed.TotalMicroseconds / images.Count);
    }
Console.WriteLine($"{images.Count} words, {(wordList is null ? "greedy" : "word list as a prior")}, "
    + $"{sideBySide} batch(es) side by side; best of passes 5-{passes}, µs per word:");
foreach (int batch in batchSizes) Console.WriteLine($"  batches of {batch,3}: {best[batch],6:F1}");
