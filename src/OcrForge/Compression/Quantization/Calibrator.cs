using Microsoft.ML.OnnxRuntime;
using OcrForge.Export;

namespace OcrForge.Compression.Quantization;

/// <summary>How activation ranges are chosen from calibration data.</summary>
public enum CalibrationMethod
{
    /// <summary>The observed minimum and maximum.</summary>
    MinMax,
    /// <summary>The central <c>Percentile</c> % of observed values; outliers are clipped.</summary>
    Percentile,
    /// <summary>The clipping threshold that minimises the KL divergence between the value histogram and its 128-level
    /// quantization (TensorRT's method).</summary>
    Entropy,
}

/// <summary>A calibrated range of one tensor.</summary>
public readonly record struct TensorRange(float Min, float Max);

/// <summary>
/// Runs the float graph on calibration batches with the tensors of interest added as graph outputs and reduces
/// what it sees to one range per tensor. Deterministic: same model, batches and method → same ranges.
/// </summary>
public static class Calibrator
{
    private const int Bins = 2048;

    public static Dictionary<string, TensorRange> Collect(OnnxModel model, IReadOnlyCollection<string> tensors,
        IReadOnlyList<(float[] Input, int Count)> batches, CalibrationMethod method, double percentile = 99.99,
        int? threads = null)
    {
        if (batches.Count == 0) throw new ArgumentException("no calibration batches", nameof(batches));
        var graph = model.Graph.Clone();
        foreach (var t in tensors.Where(t => graph.Outputs.All(o => o.Name != t)))
            graph.Outputs.Add(new OnnxValueInfo(t, OnnxDataType.Float, null));
        var tapped = new OnnxModel(graph, model.Metadata);
        foreach (var (domain, version) in model.Opsets) tapped.Opsets[domain] = version;

        using var options = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_BASIC,
            IntraOpNumThreads = threads ?? Environment.ProcessorCount,
        };
        using var session = new InferenceSession(OnnxWriter.Serialize(tapped), options);
        var input = graph.Inputs[0];
        // A variable-width model's width is symbolic: each batch's own (padded) width follows from its length.
        long[] Shape(int n, int length)
        {
            long known = n * input.Shape!.Skip(1).Aggregate(1L, (a, d) => a * (d.Value ?? 1));
            return [n, .. input.Shape!.Skip(1).Select(d => d.Value ?? length / known)];
        }
        var names = tensors.ToArray();

        // One pass for the extremes; the histogram methods need a second pass over the now known range.
        var min = names.ToDictionary(n => n, _ => float.PositiveInfinity);
        var max = names.ToDictionary(n => n, _ => float.NegativeInfinity);
        Run(session, input.Name, batches, Shape, names, (name, values) =>
        {
            foreach (var v in values) { if (v < min[name]) min[name] = v; if (v > max[name]) max[name] = v; }
        });
        if (method == CalibrationMethod.MinMax)
            return names.ToDictionary(n => n, n => new TensorRange(min[n], max[n]));

        // Percentile: histogram over [min, max]. Entropy: histogram of |x| over [0, max |x|].
        var histograms = names.ToDictionary(n => n, _ => new long[Bins]);
        float Low(string n) => method == CalibrationMethod.Entropy ? 0 : min[n];
        float High(string n) =>
            method == CalibrationMethod.Entropy ? Math.Max(Math.Abs(min[n]), Math.Abs(max[n])) : max[n];
        Run(session, input.Name, batches, Shape, names, (name, values) =>
        {
            var h = histograms[name];
            float low = Low(name), width = Math.Max(High(name) - low, 1e-12f) / Bins;
            foreach (var v in values)
            {
                float x = method == CalibrationMethod.Entropy ? Math.Abs(v) : v;
                h[Math.Clamp((int)((x - low) / width), 0, Bins - 1)]++;
            }
        });
        return names.ToDictionary(n => n, n =>
        {
            float low = Low(n), width = Math.Max(High(n) - low, 1e-12f) / Bins;
            if (method == CalibrationMethod.Percentile)
            {
                var (lo, hi) = PercentileBins(histograms[n], percentile);
                return new TensorRange(low + lo * width, low + (hi + 1) * width);
            }
            float threshold = (EntropyBin(histograms[n]) + 1) * width;
            return new TensorRange(Math.Max(min[n], -threshold), Math.Min(max[n], threshold));
        });
    }

    private static void Run(InferenceSession session, string inputName,
        IReadOnlyList<(float[] Input, int Count)> batches, Func<int, int, long[]> shape, string[] names,
        Action<string, ReadOnlySpan<float>> observe)
    {
        foreach (var (data, count) in batches)
        {
            using var input = OrtValue.CreateTensorValueFromMemory(data, shape(count, data.Length));
            using var runOptions = new RunOptions();
            using var outputs = session.Run(runOptions, [inputName], [input], names);
            for (int i = 0; i < names.Length; i++) observe(names[i], outputs[i].GetTensorDataAsSpan<float>());
        }
    }

    /// <summary>First and last bins that keep <paramref name="percentile"/> % of the mass, cutting the rest equally
    /// from both tails.</summary>
    internal static (int Low, int High) PercentileBins(long[] histogram, double percentile)
    {
        long total = histogram.Sum();
        double cut = total * (100 - percentile) / 200;
        int lo = 0, hi = histogram.Length - 1;
        for (double acc = 0; lo < hi && acc + histogram[lo] <= cut; lo++) acc += histogram[lo];
        for (double acc = 0; hi > lo && acc + histogram[hi] <= cut; hi--) acc += histogram[hi];
        return (lo, hi);
    }

    /// <summary>
    /// TensorRT's entropy calibration: for each candidate threshold bin i ≥ 128, P = histogram[0..i) with the tail
    /// folded into its last bin, Q = P merged into 128 levels and spread back over P's non-empty bins; the threshold
    /// with the smallest KL(P‖Q) wins. Returns the index of the last kept bin.
    /// </summary>
    internal static int EntropyBin(long[] histogram, int levels = 128)
    {
        int best = histogram.Length - 1;
        double bestDivergence = double.PositiveInfinity;
        for (int i = levels; i <= histogram.Length; i++)
        {
            var p = new double[i];
            for (int k = 0; k < i; k++) p[k] = histogram[k];
            for (int k = i; k < histogram.Length; k++) p[i - 1] += histogram[k];
            var q = new double[i];
            double binsPerLevel = (double)i / levels;
            for (int level = 0; level < levels; level++)
            {
                int start = (int)(level * binsPerLevel), end = (int)((level + 1) * binsPerLevel);
                double sum = 0; int nonEmpty = 0;
                for (int k = start; k < end; k++) { sum += histogram[k]; if (histogram[k] > 0) nonEmpty++; }
                for (int k = start; k < end; k++) q[k] = histogram[k] > 0 ? sum / nonEmpty : 0;
            }
            double pTotal = p.Sum(), qTotal = q.Sum();
            if (pTotal == 0 || qTotal == 0) continue;
            double divergence = 0;
            for (int k = 0; k < i; k++)
            {
                if (p[k] == 0) continue;
                // A P bin with an empty Q bin (possible only where the tail was folded in) gets a small floor.
                double qk = Math.Max(q[k] / qTotal, 1e-12);
                divergence += p[k] / pTotal * Math.Log(p[k] / pTotal / qk);
            }
            if (divergence < bestDivergence) { bestDivergence = divergence; best = i - 1; }
        }
        return best;
    }
}
