namespace OcrForge.Tuning;

/// <summary>
/// The values one parameter may take. Values travel as <see cref="long"/> (int), <see cref="double"/> (float) or
/// <see cref="string"/> (categorical); samplers work on an internal number (<see cref="ToInternal"/>): the value
/// itself for numbers, the choice's index for categories.
/// </summary>
public abstract record Distribution
{
    /// <summary>Throws a one-line error naming <paramref name="field"/> when the distribution cannot be
    /// sampled.</summary>
    public abstract void Validate(string field);

    public abstract bool Contains(object value);

    public abstract double ToInternal(object value);

    public abstract object ToExternal(double internalValue);

    public abstract object Sample(Random random);
}
