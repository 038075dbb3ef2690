using OcrForge.Tuning;

namespace OcrForge.Tests.Tuning;

public sealed class StudyDefinitionTests
{
    [Fact]
    public void The_same_space_in_yaml_or_json_with_defaults_left_out_or_given_has_one_canonical_text()
    {
        var yaml = SearchSpaceFile.ParseText("parameters:\n  lr: { type: float, low: 1.0e-4, high: 0.1, log: true }\n" +
            "  n: { type: int, low: 1, high: 4 }\n  opt: { type: categorical, choices: [sgd, adam] }\n" +
            "  m: { type: float, low: 0.5, high: 0.9, when: { opt: sgd } }\n", yaml: true);
        var json = SearchSpaceFile.ParseText("""
            {"parameters": {"lr": {"type": "float", "low": 0.0001, "high": 0.1, "log": true},
             "n": {"type": "int", "low": 1, "high": 4, "step": 1, "log": false},
             "opt": {"type": "categorical", "choices": ["sgd", "adam"]},
             "m": {"type": "float", "low": 0.5, "high": 0.9, "when": {"opt": ["sgd"]}}}}
            """, yaml: false);
        string canonical = SearchSpaceFile.ToCanonicalJson(yaml);
        Assert.Equal(canonical, SearchSpaceFile.ToCanonicalJson(json));
        // It reads back as the same space, and another order of the parameters is another space.
        var back = SearchSpaceFile.ParseText(canonical, yaml: false);
        Assert.Equal(yaml.Parameters.Select(p => p.Distribution), back.Parameters.Select(p => p.Distribution));
        Assert.Equal(["opt", "sgd"], [back.Find("m")!.Condition!.Parent, .. back.Find("m")!.Condition!.Values]);
        var reordered = new SearchSpace([yaml.Parameters[1], yaml.Parameters[0], yaml.Parameters[2], yaml.Parameters[3]]);
        Assert.NotEqual(canonical, SearchSpaceFile.ToCanonicalJson(reordered));
    }

    [Fact]
    public void A_worker_giving_nothing_takes_the_studys_objective_data_and_space_and_its_own_where_given()
    {
        var space = SearchSpaceFile.ParseText("""{"parameters":{"x1":{"type":"float","low":0,"high":1}}}""", false);
        var study = new StudyInfo(1, "s", StudyDirection.Maximize, DateTimeOffset.UnixEpoch)
        {
            Definition = StudyDefinition.Create("ctc", "data", space),
        };
        var (objective, data, searched) = StudyDefinition.Resolve(study, null, null, null);
        Assert.Equal(("ctc", Path.GetFullPath("data")), (objective, data));
        Assert.Equal(Canonical(space), Canonical(searched));
        // Another objective: none of the study's data or space, which belong to its objective.
        (objective, data, searched) = StudyDefinition.Resolve(study, "classify", null, null);
        Assert.Equal(("classify", (string?)null), (objective, data));
        Assert.Equal(Canonical(DefaultSpaces.For("classify")), Canonical(searched));
        // A new study: the synthetic objective and its default space.
        (objective, data, searched) = StudyDefinition.Resolve(null, null, null, null);
        Assert.Equal(("synthetic", (string?)null), (objective, data));
        Assert.Equal(Canonical(DefaultSpaces.For("synthetic")), Canonical(searched));
    }

    private static string Canonical(SearchSpace space) => SearchSpaceFile.ToCanonicalJson(space);
}
