// What reading a word list costs (Lexicon.Load: the file, folding every word to the model's classes, sorting them and
// building the trie), the first time in a process, as `eval --lexicon` and `predict --lexicon` pay it, and the best
// of three more loads.
// Run from the repository root, pinned:
//   taskset -c 0 dotnet run -c Release bench/lexicon-load.cs -- MODEL.onnx [WORD_LIST=/usr/share/dict/american-english]
#:project ../src/OcrForge.Inference/OcrForge.Inference.csproj
#:property PublishAot=false
#:property TieredCompilationQuickJitForLoops=false
using System.Diagnostics;
using OcrForge.Inference.Decoding;
using OcrForge.Inference.Engines;

string wordList = args.Length > 1 ? args[1] : "/usr/share/dict/american-english";
using var engine = new OnnxEngine(args[0], threads: 1);
var times = new List<double>();
Lexicon? lexicon = null;
for (int i = 0; i < 4; i++)
{
    var clock = Stopwatch.StartNew();
    lexicon = Lexicon.Load(wordList, engine.Info.Charset);
    times.Add(clock.Elapsed.TotalMilliseconds);
}
Console.WriteLine($"{wordList}: {lexicon!.Count} words, {lexicon.NodeCount} trie nodes; first load {times[0]:F0} ms, "
    + $"best of the next three {times.Skip(1).Min():F0} ms");
