// What CTC decoding costs per image, on one core: a word model's outputs for a folder of words are computed once
// (sorted by width into batches of 64, as TextRecognizer.PredictAll does), then decoded eight times over by greedy
// decoding, the word list in prior and in "only" mode (beam 16) and a plain beam 16; passes 6–8 are printed.
// Run from the repository root, pinned:
//   taskset -c 1 dotnet run -c Release bench/words-decode.cs -- MODEL.onnx WORDS_FOLDER [WORD_LIST=/usr/share/dict/american-english]
#:project ../src/OcrForge.Inference/OcrForge.Inference.csproj
#:property PublishAot=false
#:property TieredCompilationQuickJitForLoops=false
using System.Diagnostics;
using OcrForge.Inference;
using OcrForge.Inference.Decoding;
using OcrForge.Inference.Engines;
using OcrForge.Inference.Imaging;

string model = args[0], folder = args[1];
string wordList = args.Length > 2 ? args[2] : "/usr/share/dict/american-english";
var files = Directory.GetFiles(Path.Combine(folder, "images"), "*.png").Order(StringComparer.Ordinal).ToList();
var images = files.Select(ImageDecoder.DecodeFile).ToList();
using var engine = new OnnxEngine(model, threads: 1);
var spec = engine.Info.Preprocess;
var order = Enumerable.Range(0, images.Count).OrderBy(i => Preprocessor.AspectWidth(images[i], spec)).ToArray();
var outputs = order.Chunk(64)
    .Select(chunk => engine.Run(EngineInput.Prepare([.. chunk.Select(i => images[i])], spec))).ToList();
var lexicon = Lexicon.Load(wordList, engine.Info.Charset);
(string Name, TextRecognizer Recognizer)[] decoders =
[
    ("greedy", new TextRecognizer(engine)),
    ("word list, prior, beam 16",
        new TextRecognizer(engine) { Lexicon = new LexiconOptions(lexicon, LexiconMode.Prior) }),
    ("word list, only, beam 16", new TextRecognizer(engine) { Lexicon = new LexiconOptions(lexicon) }),
    ("beam 16", new TextRecognizer(engine) { BeamWidth = 16 }),
];
foreach (var (name, recognizer) in decoders)
{
    var passes = new List<double>();
    for (int pass = 0; pass < 8; pass++)
    {
        var clock = Stopwatch.StartNew();
        foreach (var output in outputs) recognizer.Decode(output);
        passes.Add(clock.Elapsed.TotalMicroseconds / images.Count);
    }
    Console.WriteLine($"{name,-26} {string.Join(" ", passes.Skip(5).Select(p => $"{p,7:F1}"))} µs/image");
}
