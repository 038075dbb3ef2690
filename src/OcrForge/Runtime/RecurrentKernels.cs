using TorchSharp;
using TorchSharp.Modules;
using static TorchSharp.torch;

namespace OcrForge.Runtime;

/// <summary>
/// Runs a recurrent layer on the kernels the policy chose. On the CPU where oneDNN was found wrong (an AMD EPYC
/// family 26), its LSTM was wrong only through the inference primitive (no gradients) and its convolutions were
/// wrong too, but its LSTM run with gradients was exact; and that LSTM is most of the speed oneDNN gives a CRNN
/// (training 155–165 captchas/s against 94–104 on ATen alone, TorchSharp engine at batch 1 3.7 ms against 12 ms).
/// Under <see cref="OneDnnUse.Recurrent"/> a recurrent layer therefore runs with oneDNN switched on and gradients
/// on — also in eval, where the output is then detached — while <see cref="KernelGate"/> keeps other threads' work
/// off oneDNN meanwhile. The self-check measures exactly this path (<see cref="KernelSelfCheck"/>).
/// </summary>
public static class RecurrentKernels
{
    /// <summary>The output sequence of an LSTM or GRU (batch first), through the chosen kernels.</summary>
    public static Tensor Forward(nn.Module layer, Tensor input)
    {
        TorchRuntime.ChooseKernels();
        return KernelPolicy.Chosen == OneDnnUse.Recurrent ? OnOneDnnWithGradients(layer, input) : Output(layer, input);
    }

    /// <summary>The layer on oneDNN's training primitive, whatever the policy (the self-check measures it).</summary>
    internal static Tensor OnOneDnnWithGradients(nn.Module layer, Tensor input)
    {
        using var gate = KernelGate.Enter();
        bool inference = !is_grad_enabled();
        using var gradients = inference ? enable_grad() : null;
        bool previous = LibTorchContext.OneDnnEnabled;
        LibTorchContext.OneDnnEnabled = true;
        try
        {
            var output = Output(layer, input);
            return inference ? output.detach() : output;
        }
        finally { LibTorchContext.OneDnnEnabled = previous; }
    }

    /// <summary>The output sequence straight from libtorch, on whatever kernels its flags pick now.</summary>
    internal static Tensor Output(nn.Module layer, Tensor input) => layer switch
    {
        LSTM lstm => lstm.forward(input).Item1,
        GRU gru => gru.forward(input).Item1,
        _ => throw new ArgumentException($"{layer.GetType().Name} is not a recurrent layer", nameof(layer)),
    };
}
