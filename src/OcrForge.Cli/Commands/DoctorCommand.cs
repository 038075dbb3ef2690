using System.CommandLine;
using OcrForge.Runtime;
using Spectre.Console;

namespace OcrForge.Cli.Commands;

/// <summary><c>ocrforge doctor</c>: what to paste into a bug report.</summary>
public static class DoctorCommand
{
    public static Command Create()
    {
        var json = SharedOptions.Json("Print the report as one JSON document.");
        var command = new Command("doctor",
            "Versions, CPU, threads and the numeric kernels in use, with the start-up self-check's measurements. " +
            "Paste it into bug reports.");
        command.Options.Add(json);
        command.SetAction(parse => Cli.Run(() =>
        {
            var report = DoctorReport.Collect();
            if (parse.GetValue(json)) JsonOutput.Write(report);
            else Render(report);
            return report.Numerics.SelfCheck.Passed || !report.Numerics.OneDnn ? Cli.Ok : Cli.Failure;
        }));
        return command;
    }

    private static void Render(DoctorReport r)
    {
        var table = new Table().HideHeaders().AddColumns("", "");
        void Row(string name, string value) => table.AddRow(name, Markup.Escape(value));
        var v = r.Versions;
        Row("OcrForge", v.Ocrforge);
        Row(".NET", v.Dotnet);
        Row("TorchSharp / libtorch", $"{v.Torchsharp} / {v.Libtorch}");
        Row("ONNX Runtime", v.Onnxruntime);
        Row("SkiaSharp (native)", v.Skiasharp);
        Row("OS", v.Os);
        var m = r.Machine;
        Row("CPU", $"{m.Cpu} ({m.Vendor}, family {m.Family}, model {m.CpuModel}, stepping {m.Stepping})");
        Row("CPU flags", string.Join(' ', m.IsaFlags));
        Row("threads", $"{r.Threads.Cores} cores; torch intra-op {r.Threads.TorchIntraOp}, "
            + $"inter-op {r.Threads.TorchInterOp}"
            + string.Concat(r.Threads.Environment.Select(e => $"; {e.Key}={e.Value}")));
        var n = r.Numerics;
        string oneDnn = n.OneDnnUse switch { "all" => "on", "recurrent" => "recurrent layers only", _ => "off" };
        Row("oneDNN", $"{oneDnn}, ISA cap {n.OneDnnMaxCpuIsa ?? "none"} ({n.OneDnnReason})");
        Row("NNPACK", $"{(n.Nnpack ? "on" : "off")} (supported on this CPU: {(n.NnpackSupported ? "yes" : "no")})");
        Row("huge-page tensors",
            $"{(n.HugePageTensors ? "on" : "off")} (kernel THP mode: {n.KernelHugePages ?? "unknown"})");
        Row("OpenMP waiting",
            $"policy {n.OpenMpWaitPolicy ?? "default"}, spin count {n.OpenMpSpinCount ?? "libgomp default"}");
        var check = n.SelfCheck;
        Row("self-check", check.Ran
            ? $"{(check.Passed ? "passed" : "FAILED")} in {check.Milliseconds:F0} ms, tolerance {check.Tolerance:G2}"
            : "not run");
        foreach (var c in check.Cases) Row("", c.ToString());
        AnsiConsole.Write(table);
    }
}
