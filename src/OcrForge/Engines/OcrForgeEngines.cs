using OcrForge.Inference.Engines;

namespace OcrForge.Engines;

/// <summary>
/// The engines this library adds to the inference package's <see cref="EngineFactory"/>: TorchSharp for
/// <c>.ocrf</c> files. Front ends (the CLI, a host of <c>OcrServer</c>, tests) call <see cref="Register"/> once at
/// startup; library code that opens models by path calls it too. Without it, opening an <c>.ocrf</c> file is a
/// one-line error saying so.
/// </summary>
public static class OcrForgeEngines
{
    /// <summary>
    /// Registers the TorchSharp engine as <c>torch</c> for <c>.ocrf</c> files; calling it again is harmless.
    /// </summary>
    public static void Register() => Register(EngineFactory.Engines);

    /// <summary>Registers the TorchSharp engine in <paramref name="registry"/>.</summary>
    public static void Register(EngineRegistry registry) =>
        registry.Register(EngineRegistry.Torch, (path, options) => TorchEngine.Open(path, options.Threads), ".ocrf");
}
