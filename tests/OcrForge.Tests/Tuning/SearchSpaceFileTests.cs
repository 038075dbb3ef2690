using OcrForge.Inference;
using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class SearchSpaceFileTests
{
    private const string Yaml = """
        parameters:
          lr: { type: float, low: 1.0e-4, high: 0.1, log: true }
          batch_size: { type: int, low: 8, high: 64, step: 8 }
          optimizer: { type: categorical, choices: [adam, sgd] }
          momentum:
            type: float
            low: 0.5
            high: 0.99
            when: { optimizer: [sgd] }
        """;

    private const string Json = """
        { "parameters": {
            "lr": { "type": "float", "low": 0.0001, "high": 0.1, "log": true },
            "batch_size": { "type": "int", "low": 8, "high": 64, "step": 8 },
            "optimizer": { "type": "categorical", "choices": ["adam", "sgd"] },
            "momentum": { "type": "float", "low": 0.5, "high": 0.99, "when": { "optimizer": "sgd" } } } }
        """;

    [Fact]
    public void Yaml_and_json_spell_the_same_space()
    {
        var fromYaml = SearchSpaceFile.ParseText(Yaml, yaml: true);
        var fromJson = SearchSpaceFile.ParseText(Json, yaml: false);
        Assert.Equal(fromYaml.Parameters.Select(p => p.Name), fromJson.Parameters.Select(p => p.Name));
        Assert.Equal(["lr", "batch_size", "optimizer", "momentum"], fromYaml.Parameters.Select(p => p.Name));
        for (int i = 0; i < 3; i++) Assert.Equal(fromYaml.Parameters[i].Distribution,
            fromJson.Parameters[i].Distribution);
        Assert.Equal(new FloatDistribution(1e-4, 0.1, Log: true), fromYaml.Parameters[0].Distribution);
        Assert.Equal(new IntDistribution(8, 64, Step: 8), fromYaml.Parameters[1].Distribution);
        var momentum = fromYaml.Find("momentum")!;
        Assert.Equal("optimizer", momentum.Condition!.Parent);
        Assert.Equal(["sgd"], momentum.Condition.Values);
        Assert.Equal(["sgd"], fromJson.Find("momentum")!.Condition!.Values);
    }

    [Theory]
    [InlineData("parameters:\n  lr: { type: float, low: 0.1, high: 0.1 }", "parameters.lr: empty range")]
    [InlineData("parameters:\n  n: { type: int, low: 9, high: 3 }", "parameters.n: empty range")]
    [InlineData("parameters:\n  lr: { type: float, low: 0.1, high: 1, scale: 2 }",
        "parameters.lr.scale: unknown field")]
    [InlineData("parameters:\n  lr: { type: double, low: 0.1, high: 1 }", "parameters.lr.type: 'double' is not a type")]
    [InlineData("parameters:\n  lr: { type: float, low: small, high: 1 }", "parameters.lr.low: expected a number")]
    [InlineData("parameters:\n  n: { type: int, low: 1.5, high: 4 }", "parameters.n.low: expected an integer")]
    [InlineData("parameters:\n  lr: { type: float, low: 0, high: 1, log: true }",
        "parameters.lr: log scale needs low > 0")]
    [InlineData("parameters:\n  o: { type: categorical, choices: [] }", "parameters.o: choices must not be empty")]
    [InlineData("parameters:\n  m: { type: float, low: 0, high: 1, when: { optimizer: [sgd] } }",
        "parameters.m.when: unknown parameter 'optimizer'")]
    [InlineData("parameters:\n  o: { type: categorical, choices: [a] }\n  m: { type: float, low: 0, high: 1, when: { " +
        "o: [b] } }", "parameters.m.when.o: 'b' is not one of its choices")]
    [InlineData("params:\n  lr: { type: float, low: 0, high: 1 }", "params: unknown field")]
    [InlineData("parameters: [1, 2]", "parameters: expected an object")]
    [InlineData("parameters:\n  lr: { type: float, low: 0, high: 1\n", "invalid YAML at line")]
    public void Bad_spaces_are_one_line_errors_naming_the_field(string yaml, string expected)
    {
        var e = Assert.Throws<OcrForgeException>(() => SearchSpaceFile.ParseText(yaml, yaml: true));
        Assert.Contains(expected, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Errors_from_a_file_name_the_file()
    {
        using var dir = new TempDir();
        var path = dir.File("space.json");
        File.WriteAllText(path, """{ "parameters": { "x": { "type": "int", "low": 1 } } }""");
        var e = Assert.Throws<OcrForgeException>(() => SearchSpaceFile.Load(path));
        Assert.StartsWith($"{path}: parameters.x.high: missing", e.Message);
    }

    [Fact]
    public void Enqueued_values_are_typed_and_checked_against_the_space()
    {
        var space = SearchSpaceFile.ParseText(Yaml, yaml: true);
        var values = ParameterValues.Parse(space, ["lr=0.01", "batch_size=16", "optimizer=sgd", "momentum=0.9"]);
        Assert.Equal(0.01, values["lr"]);
        Assert.Equal(16L, values["batch_size"]);
        Assert.Contains("batch_size=12: outside", Assert.Throws<OcrForgeException>(() => ParameterValues.Parse(space,
            ["batch_size=12"])).Message);
        Assert.Contains("momentum: only exists when optimizer is sgd",
            Assert.Throws<OcrForgeException>(() => ParameterValues.Parse(space, ["optimizer=adam",
                "momentum=0.9"])).Message);
        Assert.Contains("dropout: unknown parameter", Assert.Throws<OcrForgeException>(()
            => ParameterValues.Parse(space, ["dropout=0.1"])).Message);
    }
}
