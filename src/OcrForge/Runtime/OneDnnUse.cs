namespace OcrForge.Runtime;

/// <summary>Where libtorch may run oneDNN kernels in this process (<see cref="KernelPolicy"/>).</summary>
public enum OneDnnUse
{
    /// <summary>Everywhere libtorch would pick it: the self-check passed, or the user forced it.</summary>
    All,

    /// <summary>
    /// Only inside recurrent layers, always through oneDNN's training primitive (gradients on), one layer at a time
    /// (<see cref="RecurrentKernels"/>); convolutions and everything else run on ATen's kernels.
    /// </summary>
    Recurrent,

    /// <summary>Nowhere: ATen's kernels only.</summary>
    Off,
}
