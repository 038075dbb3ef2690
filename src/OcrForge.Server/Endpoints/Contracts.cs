namespace OcrForge.Server;

// The JSON shapes of the API (snake_case on the wire); the OpenAPI document is generated from them.

public sealed record ErrorResponse(string Error);

public sealed record HealthResponse(string Status, string Engine, string Task, IReadOnlyList<string> Models);

/// <param name="Width">The model's width; for a variable-width model the widest an image is scaled to.</param>
/// <param name="VariableWidth">Images keep their aspect at <paramref name="Height"/> and may be any width up to
/// Width.</param>
/// <param name="FrameWidth">Variable width: input pixels per output frame (0 for fixed-size models).</param>
public sealed record InputShape(int Width, int Height, int Channels, bool VariableWidth = false, int FrameWidth = 0);

public sealed record ModelResponse(string Name, string Model, string Engine, string Task, IReadOnlyList<string> Charset,
    int BlankIndex, InputShape Input, double LoadSeconds);

public sealed record ModelsResponse(string Default, IReadOnlyList<ModelResponse> Models);

public sealed record ClassProbability(string Label, double Probability);

/// <summary>One image's answer: text and confidence (text model), or label, probability, top (classifier).</summary>
public sealed record PredictResult(string Name, string? Text = null, double? Confidence = null, string? Label = null,
    double? Probability = null, IReadOnlyList<ClassProbability>? Top = null);

/// <param name="ElapsedMs">Time the server spent on the request, from reading the body to the decoded answer.</param>
public sealed record PredictResponse(string Model, double ElapsedMs, IReadOnlyList<PredictResult> Results);
