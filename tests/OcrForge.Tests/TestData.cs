namespace OcrForge.Tests;

/// <summary>
/// Finds the shared datasets beside the repository (../shared/data, as on developer machines and in CI).
/// A test that needs them fails with a clear message when they are missing: never a silent pass.
/// </summary>
public static class TestData
{
    private static readonly Lazy<string?> Root = new(() =>
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            var candidate = Path.Combine(dir.FullName, "shared", "data");
            if (Directory.Exists(candidate)) return candidate;
        }
        return null;
    });

    public static string Under(params string[] parts) => Path.Combine([Require(), .. parts]);

    public static string Captchas => Under("captcha_images_v2");
    public static string Chars74KFonts => Under("chars74k", "English", "Fnt");
    public static string Chars74KNatural => Under("chars74k", "English", "Img", "GoodImg", "Bmp");

    private static string Require() => Root.Value
        ?? throw new InvalidOperationException($"shared/data not found above {AppContext.BaseDirectory} (CI={Environment.GetEnvironmentVariable("CI")}); this test needs the shared datasets");
}

/// <summary>A temporary folder deleted at the end of the test.</summary>
public sealed class TempDir : IDisposable
{
    public TempDir() => Directory.CreateDirectory(Path);
    public string Path { get; } = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "ocrforge-tests", Guid.NewGuid().ToString("N"));
    public string File(string name) => System.IO.Path.Combine(Path, name);
    public void Dispose()
    {
        try { Directory.Delete(Path, recursive: true); } catch (IOException) { } catch (UnauthorizedAccessException) { }
    }
}
