// What opening a model costs: the first ONNX Runtime session of a process (the runtime's own start-up included),
// then a second one of the same file. Run from the repository root:
//   taskset -c 1 dotnet run -c Release bench/onnx-session-start.cs -- MODEL.onnx
#:project ../src/OcrForge.Inference/OcrForge.Inference.csproj
#:property PublishAot=false
using System.Diagnostics;
using OcrForge.Inference.Engines;

var clock = Stopwatch.StartNew();
using var first = new OnnxEngine(args[0], threads: 1);
Console.WriteLine($"first session {clock.ElapsedMilliseconds} ms");
clock.Restart();
using var second = new OnnxEngine(args[0], threads: 1);
Console.WriteLine($"second session {clock.ElapsedMilliseconds} ms");
