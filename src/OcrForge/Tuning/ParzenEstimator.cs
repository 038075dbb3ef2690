namespace OcrForge.Tuning;

/// <summary>
/// A mixture of product kernels over a group of parameters (multivariate TPE): one kernel per observation plus a
/// prior kernel. Numbers get truncated normals in their transformed space (log for log parameters; integers and
/// stepped floats widened by half a step on each side, their density integrated over their grid cell); categories get
/// a row of probabilities that favours the observed choice. Bandwidths are Optuna 5's, per observation and dimension
/// (<see cref="NeighbourBandwidths"/>), clipped to [range / min(100, n + 2), range] (n observations + the prior + 1:
/// Optuna's magic clip); the prior kernel is as wide as the range. (Optuna 3.x's multivariate TPE used one Scott's-rule
/// width, 0.2 · n^(−1/(d+4)) of the range, for every kernel; Optuna 5 dropped it, and on bench/tpe-quality.sh it
/// found worse values: docs/RESULTS.md.)
/// </summary>
internal sealed class ParzenEstimator
{
    private const double PriorWeight = 1.0;
    private readonly Dim[] _dims;
    private readonly double[] _logWeights;
    private readonly double[] _weights;
    private readonly double[][] _mus;
    private readonly double[][] _sigmas;
    private readonly double[][] _categorical;
    private readonly int _kernels;

    private sealed record Dim(Distribution Distribution, double Low, double High, bool Log, bool Discrete,
        double HalfStep)
    {
        public double Range => High - Low;
        public bool Categorical => Distribution is CategoricalDistribution;
    }

    /// <param name="observations">One row per trial, internal values in the order of <paramref
    /// name="parameters"/>.</param>
    public ParzenEstimator(IReadOnlyList<SearchParameter> parameters, IReadOnlyList<double[]> observations)
    {
        _dims = parameters.Select(p => MakeDim(p.Distribution)).ToArray();
        int n = observations.Count;
        _kernels = n + 1;
        var w = Weights(n).Append(PriorWeight).ToArray();
        double total = w.Sum();
        _weights = w.Select(x => x / total).ToArray();
        _logWeights = _weights.Select(x => Math.Log(x)).ToArray();
        _mus = new double[_kernels][];
        for (int k = 0; k < n; k++) _mus[k] = _dims.Select((d, i) => Transform(d, observations[k][i])).ToArray();
        _mus[n] = _dims.Select(d => d.Categorical ? -1 : 0.5 * (d.Low + d.High)).ToArray();
        _sigmas = new double[_kernels][];
        for (int k = 0; k < _kernels; k++) _sigmas[k] = new double[_dims.Length];
        for (int i = 0; i < _dims.Length; i++)
            if (!_dims[i].Categorical)
            {
                var sigmas = NeighbourBandwidths(_mus.Take(n).Select(m => m[i]).ToArray(), _dims[i].Low, _dims[i].High);
                // Optuna's magic clip: range / min(100, 1 + kernels), the prior counted. One fewer let the first
                // below kernels grow half the range wide.
                double min = _dims[i].Range / Math.Min(100.0, 1 + _kernels);
                for (int k = 0; k < n; k++) _sigmas[k][i] = Math.Clamp(sigmas[k], min, _dims[i].Range);
                _sigmas[n][i] = _dims[i].Range;
            }
        // Per kernel and categorical dimension: prior mass spread evenly, plus one for the observed choice.
        _categorical = new double[_kernels * _dims.Length][];
        for (int k = 0; k < _kernels; k++)
            for (int i = 0; i < _dims.Length; i++)
                if (_dims[i].Distribution is CategoricalDistribution c)
                {
                    var row = Enumerable.Repeat(k == n ? 1.0 : PriorWeight / _kernels, c.Choices.Count).ToArray();
                    if (k < n) row[(int)observations[k][i]] += 1;
                    double s = row.Sum();
                    _categorical[k * _dims.Length + i] = row.Select(x => x / s).ToArray();
                }
    }

    /// <summary>Optuna's default weights: flat for the 25 newest observations, a linear ramp before them.</summary>
    public static double[] Weights(int n) => n < 25
        ? Enumerable.Repeat(1.0, n).ToArray()
        : Enumerable.Range(0, n - 25).Select(i => n - 25 == 1 ? 1.0 / n : 1.0 / n + i * (1 - 1.0 / n) / (n - 26))
            .Concat(Enumerable.Repeat(1.0, 25)).ToArray();

    private static Dim MakeDim(Distribution distribution) => distribution switch
    {
        IntDistribution { Log: true } d => new(d, Math.Log(d.Low - 0.5), Math.Log(d.High + 0.5), true, true, 0),
        IntDistribution d => new(d, d.Low - d.Step / 2.0, d.High + d.Step / 2.0, false, true, d.Step / 2.0),
        FloatDistribution { Step: { } s } d => new(d, d.Low - s / 2, d.High + s / 2, false, true, s / 2),
        FloatDistribution d => new(d, d.Log ? Math.Log(d.Low) : d.Low, d.Log ? Math.Log(d.High) : d.High, d.Log, false,
            0),
        CategoricalDistribution d => new(d, 0, 0, false, true, 0),
        _ => throw new ArgumentException($"unsupported distribution {distribution}"),
    };

    private static double Transform(Dim d, double v) => d.Log ? Math.Log(v) : v;

    internal double Sigma(int kernel, int dimension) => _sigmas[kernel][dimension];

    /// <summary>
    /// Optuna 5's bandwidths (one rule for univariate and multivariate TPE, consider_endpoints off): each observation's
    /// kernel is as wide as the larger gap to its neighbours in sorted order, the range's ends counting as neighbours
    /// except for the lowest and highest observation (given at least two), whose outer gap is replaced by the inner
    /// one.
    /// </summary>
    internal static double[] NeighbourBandwidths(double[] mus, double low, double high)
    {
        int n = mus.Length;
        var order = Enumerable.Range(0, n).OrderBy(k => mus[k]).ToArray();
        var sorted = new double[n + 2];
        sorted[0] = low;
        sorted[n + 1] = high;
        for (int j = 0; j < n; j++) sorted[j + 1] = mus[order[j]];
        var result = new double[n];
        for (int j = 0; j < n; j++)
        {
            double left = sorted[j + 1] - sorted[j], right = sorted[j + 2] - sorted[j + 1];
            if (n >= 2 && j == 0) left = right;
            if (n >= 2 && j == n - 1) right = left;
            result[order[j]] = Math.Max(left, right);
        }
        return result;
    }

    /// <summary>Draws <paramref name="count"/> points as internal values (already snapped to each parameter's
    /// grid).</summary>
    public double[][] Sample(Random random, int count)
    {
        var result = new double[count][];
        for (int s = 0; s < count; s++)
        {
            int k = PickKernel(random.NextDouble());
            result[s] = new double[_dims.Length];
            for (int i = 0; i < _dims.Length; i++)
            {
                var d = _dims[i];
                if (d.Categorical) { result[s][i] = PickIndex(_categorical[k * _dims.Length + i],
                    random.NextDouble()); continue; }
                double x = TruncatedNormal(random, _mus[k][i], Sigma(k, i), d.Low, d.High);
                double raw = d.Log ? Math.Exp(x) : x;
                result[s][i] = d.Distribution.ToInternal(d.Distribution.ToExternal(raw));
            }
        }
        return result;
    }

    /// <summary>log density of a point of internal values under the mixture.</summary>
    public double LogPdf(double[] point)
    {
        Span<double> terms = stackalloc double[_kernels];
        for (int k = 0; k < _kernels; k++)
        {
            double sum = _logWeights[k];
            for (int i = 0; i < _dims.Length && !double.IsNegativeInfinity(sum); i++)
                sum += LogKernel(k, i, point[i]);
            terms[k] = sum;
        }
        return Numerics.LogSumExp(terms);
    }

    private double LogKernel(int k, int i, double value)
    {
        var d = _dims[i];
        if (d.Categorical) return Math.Log(_categorical[k * _dims.Length + i][(int)value]);
        double mu = _mus[k][i], sigma = Sigma(k, i);
        double logZ = Math.Log(Numerics.NormalMass((d.Low - mu) / sigma, (d.High - mu) / sigma));
        if (!d.Discrete) return Numerics.LogNormalDensity((Transform(d, value) - mu) / sigma) - Math.Log(sigma) - logZ;
        // A grid point owns the cell around it: ±half a step, or [v − ½, v + ½] mapped to log space for log
        // integers.
        double lo = d.Log ? Math.Log(value - 0.5) : value - d.HalfStep, hi = d.Log ? Math.Log(value + 0.5) : value
            + d.HalfStep;
        return Math.Log(Math.Max(Numerics.NormalMass((lo - mu) / sigma, (hi - mu) / sigma), 1e-300)) - logZ;
    }

    private int PickKernel(double u) => PickIndex(_weights, u);

    private static int PickIndex(double[] probabilities, double u)
    {
        double c = 0;
        for (int i = 0; i < probabilities.Length; i++)
            if (u < (c += probabilities[i])) return i;
        return probabilities.Length - 1;
    }

    // The kernel centre lies inside [low, high] and its width is at least 1 % of the range, so at least a third of
    // draws land inside: rejection is cheap. The uniform fallback only guards against pathological ranges.
    private static double TruncatedNormal(Random random, double mu, double sigma, double low, double high)
    {
        for (int attempt = 0; attempt < 100; attempt++)
        {
            double x = mu + sigma * Numerics.StandardNormal(random);
            if (x >= low && x <= high) return x;
        }
        return low + random.NextDouble() * (high - low);
    }
}
