using OcrForge.Runtime;
using TorchSharp;
using static TorchSharp.torch;

namespace OcrForge.Models;

/// <summary>
/// Every OcrForge network: input [N, 1, H, W] floats (see PreprocessSpec), output raw scores —
/// [N, T, classes] per frame for text recognition, [N, classes] for classification.
/// </summary>
public abstract class OcrModule : nn.Module<Tensor, Tensor>
{
    protected OcrModule(string name, ModelConfig config, int classCount) : base(name)
    {
        // Every product path builds one of these before its first tensor op: the place to make sure libtorch's
        // kernels were checked on this CPU, whoever the caller (CLI, engine, test, or a .NET program).
        TorchRuntime.ChooseKernels();
        Config = config;
        ClassCount = classCount;
    }

    public ModelConfig Config { get; }
    public int ClassCount { get; }

    public long ParameterCount() => parameters().Sum(p => p.numel());
}
