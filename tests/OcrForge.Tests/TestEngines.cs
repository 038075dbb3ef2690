using System.Runtime.CompilerServices;
using OcrForge.Engines;

namespace OcrForge.Tests;

/// <summary>
/// The tests stand in for a front end: like the CLI, they register the library's engines before anything runs.
/// </summary>
internal static class TestEngines
{
#pragma warning disable CA2255 // The one hook that runs before any test, whichever test class runs first.
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register() => OcrForgeEngines.Register();
}
