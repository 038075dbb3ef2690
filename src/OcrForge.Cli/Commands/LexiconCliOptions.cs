using System.CommandLine;
using System.Globalization;
using OcrForge.Inference;
using OcrForge.Inference.Decoding;

namespace OcrForge.Cli.Commands;

/// <summary>
/// <c>--lexicon</c>, <c>--lexicon-mode</c>, <c>--lexicon-weight</c> and <c>--lexicon-match-case</c>, shared by eval
/// and predict: parsed here, the decoding itself is <see cref="LexiconDecoder"/>'s.
/// </summary>
public sealed class LexiconCliOptions
{
    private LexiconCliOptions(Option<string?> file, Option<LexiconMode> mode, Option<double> weight,
        Option<bool> matchCase) => (File, Mode, Weight, MatchCase) = (file, mode, weight, matchCase);

    public Option<string?> File { get; }
    public Option<LexiconMode> Mode { get; }
    public Option<double> Weight { get; }
    public Option<bool> MatchCase { get; }

    public static LexiconCliOptions AddTo(Command command)
    {
        var options = new LexiconCliOptions(
            new Option<string?>("--lexicon")
            {
                Description = "Word list, one per line: decode with a lexicon (a beam search; --beam 1 becomes "
                    + $"{LexiconDecoder.DefaultBeamWidth}).",
            },
            new Option<LexiconMode>("--lexicon-mode")
            {
                Description = "only: read only words of the list; prior: any text, known words get a bonus.",
                DefaultValueFactory = _ => LexiconMode.Only,
            },
            new Option<double>("--lexicon-weight")
            {
                Description = "Prior mode: log-probability bonus per known word.",
                DefaultValueFactory = _ => LexiconOptions.DefaultWeight,
            },
            new Option<bool>("--lexicon-match-case")
            {
                Description = "A word matches the list only in the list's case (default: in any case, so the "
                    + "list's \"paris\" also reads \"Paris\" and \"PARIS\").",
            });
        command.Options.Add(options.File);
        command.Options.Add(options.Mode);
        command.Options.Add(options.Weight);
        command.Options.Add(options.MatchCase);
        return options;
    }

    /// <summary>Refuses the lexicon options on a classifier, like <c>--beam</c>.</summary>
    public void RefuseUnlessTextModel(ParseResult parse, bool textModel, string modelPath)
    {
        foreach (var option in new Option[] { File, Mode, Weight, MatchCase })
            Cli.RefuseIfGiven(parse, option, textModel, modelPath, "text models (CTC decoding)");
    }

    /// <summary>
    /// The options for the recognizer, or null without <c>--lexicon</c>. Words the model cannot write are reported
    /// once, as a warning.
    /// </summary>
    public LexiconOptions? Read(ParseResult parse, Charset charset)
    {
        var path = parse.GetValue(File);
        bool modeGiven = parse.GetResult(Mode) is { Implicit: false };
        bool weightGiven = parse.GetResult(Weight) is { Implicit: false };
        bool caseGiven = parse.GetResult(MatchCase) is { Implicit: false };
        if (path is null)
        {
            if (modeGiven || weightGiven || caseGiven)
                throw new OcrForgeException(
                    $"{(modeGiven ? Mode.Name : weightGiven ? Weight.Name : MatchCase.Name)}: needs --lexicon FILE");
            return null;
        }
        var mode = parse.GetValue(Mode);
        double weight = parse.GetValue(Weight);
        if (weightGiven && mode != LexiconMode.Prior)
            throw new OcrForgeException($"{Weight.Name}: applies to --lexicon-mode prior only");
        if (!double.IsFinite(weight) || weight < 0)
            throw new OcrForgeException(
                string.Create(CultureInfo.InvariantCulture, $"{Weight.Name} {weight}: expected a number ≥ 0"));
        var lexicon = Lexicon.Load(path, charset, ignoreCase: !parse.GetValue(MatchCase));
        if (lexicon.Skipped > 0)
            Cli.Warn($"{path}: {lexicon.Skipped} entries skipped (not one word of the model's symbols, "
                + $"e.g. '{lexicon.FirstSkipped}'), {lexicon.Count} words kept");
        return new LexiconOptions(lexicon, mode, weight);
    }

    /// <summary>What eval reports about the lexicon it decoded with.</summary>
    public static void Describe(LexiconOptions? options, Dictionary<string, object> report)
    {
        if (options is null) return;
        report["lexicon"] = options.Lexicon.Source;
        report["lexicon_mode"] = options.Mode.ToString().ToLowerInvariant();
        if (options.Mode == LexiconMode.Prior) report["lexicon_weight"] = options.Weight;
        report["lexicon_ignore_case"] = options.Lexicon.IgnoreCase;
        report["lexicon_words"] = options.Lexicon.Count;
        report["lexicon_skipped"] = options.Lexicon.Skipped;
    }
}
