namespace OcrForge.Tuning;

/// <summary>
/// The generator of one trial's draws: xoshiro256** seeded by SplitMix64 from (sampler seed, trial number).
/// <see cref="Random"/> with an explicit seed is the legacy subtractive generator, whose first outputs are affine in
/// the seed: with trial seeds in arithmetic progression, trial n's k-th draw was frac(a_k + n·b_k), so the start-up
/// "random" trials (and random search) lay on one line wrapping round the unit cube, and TPE's candidates of
/// successive trials moved in lockstep. Hashing (seed, number) and a modern generator make trials independent.
/// </summary>
internal sealed class TrialRandom : Random
{
    private ulong _s0, _s1, _s2, _s3;

    public TrialRandom(int seed, int number)
    {
        ulong state = unchecked((ulong)(uint)seed << 32 | (uint)number);
        _s0 = SplitMix(ref state);
        _s1 = SplitMix(ref state);
        _s2 = SplitMix(ref state);
        _s3 = SplitMix(ref state);
    }

    private static ulong SplitMix(ref ulong state)
    {
        ulong z = unchecked(state += 0x9E3779B97F4A7C15UL);
        z = unchecked((z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL);
        z = unchecked((z ^ (z >> 27)) * 0x94D049BB133111EBUL);
        return z ^ (z >> 31);
    }

    private ulong NextUInt64()
    {
        ulong result = unchecked(BitRotate(_s1 * 5, 7) * 9), t = _s1 << 17;
        _s2 ^= _s0;
        _s3 ^= _s1;
        _s1 ^= _s2;
        _s0 ^= _s3;
        _s2 ^= t;
        _s3 = BitRotate(_s3, 45);
        return result;
    }

    private static ulong BitRotate(ulong x, int k) => (x << k) | (x >> (64 - k));

    /// <summary>Uniform in [0, 1) with 53 random bits.</summary>
    public override double NextDouble() => (NextUInt64() >> 11) * (1.0 / (1UL << 53));

    protected override double Sample() => NextDouble();

    public override int Next() => (int)(NextUInt64() >> 33);

    public override int Next(int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(maxValue);
        return (int)(NextDouble() * maxValue);
    }

    public override int Next(int minValue, int maxValue)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(minValue, maxValue);
        return (int)(minValue + (long)(NextDouble() * ((long)maxValue - minValue)));
    }

    public override long NextInt64() => (long)(NextUInt64() >> 1);

    public override void NextBytes(Span<byte> buffer)
    {
        for (int i = 0; i < buffer.Length; i++) buffer[i] = (byte)(NextUInt64() >> 56);
    }

    public override void NextBytes(byte[] buffer) => NextBytes(buffer.AsSpan());
}
