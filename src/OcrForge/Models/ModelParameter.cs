using System.Globalization;

namespace OcrForge.Models;

/// <summary>The kind of value a model setting takes.</summary>
public enum ParameterType { Int, Float, Bool, Choice, IntList, FloatList, PoolList }

/// <summary>A range a search explores for a numeric setting when a space asks for the setting's default.</summary>
public sealed record SearchRange(double Low, double High, bool Log = false);

/// <summary>
/// One model setting (<c>--set NAME=VALUE</c>): its type, its valid range or choices, and the range a search
/// explores by default. The one description of a setting: <c>--set</c> parses and validates through it, help lists
/// it, and a search space's <c>set.NAME</c> is checked against it and can be built from it.
/// </summary>
public sealed class ModelParameter
{
    private readonly Func<string, object> _parse;

    private ModelParameter(string name, ParameterType type, string help, Func<string, object> parse)
    {
        Name = name;
        Type = type;
        Help = help;
        _parse = parse;
    }

    public string Name { get; }
    public ParameterType Type { get; }
    public string Help { get; }
    public double Min { get; private init; } = double.NegativeInfinity;
    public double Max { get; private init; } = double.PositiveInfinity;
    public IReadOnlyList<string> Choices { get; private init; } = [];
    public SearchRange? Search { get; private init; }

    /// <summary>Whether a space built from the schema explores a switch or choice.</summary>
    public bool Searchable { get; private init; } = true;

    /// <summary>The typed value (int, double, bool, the enum, int[], double[] or PoolSize[]), or a one-line error
    /// naming the setting.</summary>
    public object Parse(string value) => _parse(value);

    /// <summary>What the setting accepts, as help and errors say it.</summary>
    public string Accepts => Type switch
    {
        ParameterType.Int => Max < int.MaxValue ? $"a whole number in [{Min}, {Max}]" : $"a whole number ≥ {Min}",
        ParameterType.Float => $"a number in [{Min.ToString(CultureInfo.InvariantCulture)}, " +
            $"{Max.ToString(CultureInfo.InvariantCulture)}]",
        ParameterType.Bool => "true or false",
        ParameterType.Choice => $"one of {string.Join(", ", Choices)}",
        ParameterType.IntList => $"whole numbers ≥ {Min}, comma-separated",
        ParameterType.FloatList => $"numbers in [{Min.ToString(CultureInfo.InvariantCulture)}, " +
            $"{Max.ToString(CultureInfo.InvariantCulture)}], comma-separated",
        _ => "pool sizes like 2x2,2x1",
    };

    public static ModelParameter Int(string name, int min, string help, int max = int.MaxValue,
        SearchRange? search = null) =>
        new(name, ParameterType.Int, help, v => OverrideValue.Int(name, v, min, max))
        {
            Min = min, Max = max, Search = search,
        };

    public static ModelParameter Float(string name, double min, double max, string help, SearchRange? search = null) =>
        new(name, ParameterType.Float, help, v => OverrideValue.Double(name, v, min, max))
        {
            Min = min, Max = max, Search = search,
        };

    /// <param name="searchable">Whether a space built from the schema explores it (not for switches that change
    /// what the model reads rather than how well).</param>
    public static ModelParameter Bool(string name, string help, bool searchable = true) =>
        new(name, ParameterType.Bool, help, v => OverrideValue.Bool(name, v))
        {
            Choices = ["false", "true"], Searchable = searchable,
        };

    public static ModelParameter Choice<T>(string name, string help) where T : struct, Enum =>
        new(name, ParameterType.Choice, help, v => OverrideValue.Enum<T>(name, v))
        {
            Choices = Enum.GetNames<T>().Select(n => n.ToLowerInvariant()).ToArray(),
        };

    /// <param name="search">A range searched as one value for every element (<c>rnn_hidden=64</c>: every layer).</param>
    public static ModelParameter IntList(string name, int min, string help, SearchRange? search = null) =>
        new(name, ParameterType.IntList, help, v => OverrideValue.IntList(name, v, min))
        {
            Min = min, Search = search,
        };

    public static ModelParameter FloatList(string name, double min, double max, string help) =>
        new(name, ParameterType.FloatList, help, v => OverrideValue.DoubleList(name, v, min, max))
        {
            Min = min, Max = max,
        };

    public static ModelParameter PoolList(string name, string help) =>
        new(name, ParameterType.PoolList, help, v => OverrideValue.PoolList(name, v));
}
