using OcrForge.Inference.Engines;
using OcrForge.IO;
using OcrForge.Models;
using OcrForge.Runtime;
using static TorchSharp.torch;

namespace OcrForge.Engines;

/// <summary>
/// Runs an <c>.ocrf</c> model with TorchSharp. <see cref="OcrForgeEngines.Register"/> makes <see cref="EngineFactory"/>
/// open <c>.ocrf</c> files with it, so the light inference package needs no TorchSharp reference. Forward passes are
/// serialised by a lock: libtorch already uses every core inside one forward.
/// </summary>
public sealed class TorchEngine : IOcrEngine
{
    private readonly TrainedModel _model;
    private readonly Lock _lock = new();

    public TorchEngine(TrainedModel model)
    {
        _model = model;
        _model.Module.eval();
        Info = new ModelInfo(
            model.Manifest.Task == ModelTask.TextRecognition ? OcrTask.TextRecognition : OcrTask.Classification,
            model.Charset, model.Manifest.Preprocess, model.Manifest.Training)
        {
            RunSpecification = model.Manifest.Run?.ToJson(),
        };
    }

    public static IOcrEngine Open(string path, int? threads)
    {
        TorchRuntime.Initialize(threads);
        return new TorchEngine(TrainedModel.Load(path));
    }

    public string Name => "torch";
    public ModelInfo Info { get; }
    public TrainedModel Model => _model;

    public EngineOutput Run(float[] input, int batch, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        var spec = Info.Preprocess;
        lock (_lock)
        {
            using var scope = NewDisposeScope();
            using var noGrad = no_grad();
            var x = tensor(input, [batch, 1, spec.Height, spec.BatchWidth(input.Length, batch)]);
            var y = _model.Module.forward(x).contiguous();
            return new EngineOutput(y.data<float>().ToArray(), y.shape.Select(d => (int)d).ToArray());
        }
    }

    public void Dispose() => _model.Dispose();
}
