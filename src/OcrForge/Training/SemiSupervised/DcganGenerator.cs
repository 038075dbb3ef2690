using OcrForge.Runtime;
using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OcrForge.Training.SemiSupervised;

/// <summary>
/// DCGAN generator (Radford et al. 2016): z → dense 4×4×128 → three stride-2 transposed convolutions → 32×32, tanh.
/// Outputs [N, 1, 32, 32] in [−1, 1], the range of real inputs under the SGAN's PreprocessSpec (mean 0.5, std 0.5).
/// </summary>
public sealed class DcganGenerator : nn.Module<Tensor, Tensor>
{
    public const int Side = 32;
    private const int BaseChannels = 128;
    private const int BaseSide = 4;

    private readonly Linear project;
    private readonly BatchNorm1d projectNorm;
    private readonly Sequential upsample;

    public DcganGenerator(int noiseSize = 100) : base("Generator")
    {
        NoiseSize = noiseSize;
        project = nn.Linear(noiseSize, BaseChannels * BaseSide * BaseSide, hasBias: false);
        projectNorm = nn.BatchNorm1d(BaseChannels * BaseSide * BaseSide);
        // Kernel 4, stride 2, padding 1 doubles the side exactly: out = (in − 1)·2 − 2 + 4 = 2·in. 4 → 8 → 16 → 32.
        upsample = nn.Sequential(
            ("up1", nn.ConvTranspose2d(BaseChannels, 64, 4, stride: 2, padding: 1, bias: false)),
            ("bn1", nn.BatchNorm2d(64)),
            ("act1", nn.ReLU()),
            ("up2", nn.ConvTranspose2d(64, 32, 4, stride: 2, padding: 1, bias: false)),
            ("bn2", nn.BatchNorm2d(32)),
            ("act2", nn.ReLU()),
            ("up3", nn.ConvTranspose2d(32, 1, 4, stride: 2, padding: 1)),
            ("out", nn.Tanh()));
        RegisterComponents();
    }

    public int NoiseSize { get; }

    /// <param name="noise">[N, NoiseSize]</param>
    public override Tensor forward(Tensor noise)
    {
        using var gate = KernelGate.Enter();
        using var scope = NewDisposeScope();
        var x = nn.functional.relu(projectNorm.forward(project.forward(noise)));
        return upsample.forward(x.view(-1, BaseChannels, BaseSide, BaseSide)).MoveToOuterDisposeScope();
    }
}
