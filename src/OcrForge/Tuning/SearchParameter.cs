namespace OcrForge.Tuning;

/// <summary>One named parameter of a search space, optionally present only under a condition on another one.</summary>
public sealed record SearchParameter(string Name, Distribution Distribution, ParameterCondition? Condition = null);
