using System.Diagnostics;
using System.Text.RegularExpressions;

namespace OcrForge.Tests.Packaging;

/// <summary>
/// Packs the repository's packages once into a temporary folder and installs the tool from there, as a user would,
/// for every test of <see cref="PackageTests"/>: packing the tool (libtorch for linux-x64 inside) takes a minute.
/// Nothing reaches the user's global NuGet state: installs and restores get their own packages folder and a config
/// whose only sources are the packed folder and this machine's packages folder (offline, nothing downloaded).
/// </summary>
public sealed class PackedOcrForge : IDisposable
{
    private readonly TempDir _dir = new();

    public string RepoRoot { get; }
    public string Configuration { get; }
    public string Artifacts => _dir.File("artifacts");
    public string ToolPath => _dir.File("tools");
    public string Tool => Path.Combine(ToolPath, "ocrforge");
    public string Version { get; }
    public TimeSpan PackTime { get; }
    public TimeSpan InstallTime { get; }
    /// <summary>Where NuGet extracts what the tests install or restore: the test's own, deleted afterwards.</summary>
    public string IsolatedPackages => _dir.File("packages");
    public string NuGetConfig => _dir.File("nuget.config");
    /// <summary>This machine's NuGet packages folder, which the tests read packages from and never write to.</summary>
    public string MachinePackages { get; }

    /// <summary>
    /// For every build and pack the tests run: no build servers or MSBuild nodes left running after the test, and
    /// hard links instead of copies of libtorch and ONNX Runtime (1 GB of copying otherwise). The libstdc++ patch
    /// replaces its file rather than writing into it, so the NuGet cache's copy behind a link stays as it was.
    /// </summary>
    public static readonly string[] BuildOptions =
    [
        "--disable-build-servers", "-nodeReuse:false",
        "-p:CreateHardLinksForCopyFilesToOutputDirectoryIfPossible=true", "-p:CreateHardLinksForPublishFilesIfPossible=true",
    ];

    public PackedOcrForge()
    {
        RepoRoot = FindRepoRoot();
        // Pack with the configuration the tests were built in, so the library builds it needs are already up to date.
        Configuration = AppContext.BaseDirectory.Contains($"{Path.DirectorySeparatorChar}Debug{Path.DirectorySeparatorChar}") ? "Debug" : "Release";

        var watch = Stopwatch.StartNew();
        // The tool first: it builds the libraries it references, so theirs can be packed without building again.
        Dotnet(RepoRoot, TimeSpan.FromMinutes(8), ["pack", "src/OcrForge.Cli/OcrForge.Cli.csproj", "-c", Configuration, "-o", Artifacts,
            .. BuildOptions]);
        foreach (var project in new[] { "src/OcrForge.Inference/OcrForge.Inference.csproj", "src/OcrForge/OcrForge.csproj" })
            Dotnet(RepoRoot, TimeSpan.FromMinutes(3), ["pack", project, "-c", Configuration, "-o", Artifacts, "--no-build", .. BuildOptions]);
        PackTime = watch.Elapsed;

        var pointer = Directory.GetFiles(Artifacts, "OcrForge.Tool.*.nupkg").Select(Path.GetFileName)
            .Select(f => Regex.Match(f!, @"^OcrForge\.Tool\.(\d+\.\d+\.\d+.*)\.nupkg$")).Single(m => m.Success);
        Version = pointer.Groups[1].Value;

        var machinePackages = MachinePackages = MachinePackagesFolder();
        // The machine's packages folder is a source (so version ranges resolve) and a fallback folder (so what is
        // there is used in place, not copied): only the packages under test land in IsolatedPackages.
        File.WriteAllText(NuGetConfig, $"""
            <?xml version="1.0" encoding="utf-8"?>
            <configuration>
              <packageSources>
                <clear />
                <add key="artifacts" value="{Artifacts}" />
                <add key="machine" value="{machinePackages}" />
              </packageSources>
              <fallbackPackageFolders>
                <clear />
                <add key="machine" value="{machinePackages}" />
              </fallbackPackageFolders>
            </configuration>
            """);

        watch.Restart();
        Dotnet(_dir.Path, TimeSpan.FromMinutes(3), "tool", "install", "--tool-path", ToolPath, "--add-source", Artifacts,
            "--configfile", NuGetConfig, "--version", Version, "OcrForge.Tool");
        InstallTime = watch.Elapsed;
    }

    /// <summary>Runs dotnet with NuGet pointed at the test's own folders; throws with the output when it fails.</summary>
    public (string Stdout, string Stderr) Dotnet(string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var (code, stdout, stderr) = Run("dotnet", workingDirectory, timeout, args);
        if (code != 0)
            throw new InvalidOperationException($"dotnet {string.Join(' ', args)} exited {code}\n{stdout}\n{stderr}");
        return (stdout, stderr);
    }

    public (int Code, string Stdout, string Stderr) Run(string fileName, string workingDirectory, TimeSpan timeout, params string[] args)
    {
        var start = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory,
        };
        foreach (var a in args) start.ArgumentList.Add(a);
        start.Environment["NUGET_PACKAGES"] = IsolatedPackages;
        start.Environment["NUGET_HTTP_CACHE_PATH"] = _dir.File("http-cache");
        start.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        start.Environment["DOTNET_NOLOGO"] = "1";
        start.Environment["COLUMNS"] = "200";
        start.Environment["NO_COLOR"] = "1";
        // MSBuild properties from the test host's environment (dotnet test sets some) must not leak into the builds.
        start.Environment.Remove("MSBuildExtensionsPath");
        start.Environment.Remove("MSBUILD_EXE_PATH");
        start.Environment.Remove("MSBuildSDKsPath");
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{fileName} {string.Join(' ', args)} took over {timeout.TotalSeconds:0} s");
        }
        return (process.ExitCode, stdout.Result, stderr.Result);
    }

    public string NewFolder(string name) => Directory.CreateDirectory(_dir.File(name)).FullName;

    private static string FindRepoRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
            if (File.Exists(Path.Combine(dir.FullName, "OcrForge.slnx"))) return dir.FullName;
        throw new InvalidOperationException($"OcrForge.slnx not found above {AppContext.BaseDirectory}");
    }

    /// <summary>The folder this machine's restores fill (NUGET_PACKAGES, or ~/.nuget/packages), as NuGet reports it.</summary>
    private string MachinePackagesFolder()
    {
        var start = new ProcessStartInfo("dotnet", ["nuget", "locals", "global-packages", "--list"]) { RedirectStandardOutput = true, UseShellExecute = false };
        using var process = Process.Start(start)!;
        var output = process.StandardOutput.ReadToEnd();
        process.WaitForExit();
        var match = Regex.Match(output, @"global-packages:\s*(\S.*?)\s*$", RegexOptions.Multiline);
        if (!match.Success || !Directory.Exists(match.Groups[1].Value))
            throw new InvalidOperationException($"no global packages folder in 'dotnet nuget locals global-packages --list': {output}");
        return match.Groups[1].Value.TrimEnd('/');
    }

    public void Dispose() => _dir.Dispose();
}
