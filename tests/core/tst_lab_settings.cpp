// Lab settings as data: every field survives JSON, a reader of an older or damaged file keeps
// what it can and names what it could not, and the recipe command quotes and splits back to the
// same arguments with numbers that read back to the same values.
#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"

#include <QtTest>

#include <cstdlib>

using namespace ts;

namespace {

ModelSettings unusualModel()
{
    ModelSettings m;
    m.source.preset = "vit-ti16";
    m.source.imageSize = 160;
    m.source.seed = 123456789012ULL;
    m.source.checkpoint = "/tmp/a b/it's.safetensors";
    m.checkpointSha256 = "00ff";
    m.normalisation.mean[0] = 0.5f;
    m.normalisation.mean[1] = 0.1f;
    m.normalisation.mean[2] = 1e-7f;
    m.normalisation.std[0] = 0.3f;
    m.normalisation.std[1] = 2.5f;
    m.normalisation.std[2] = 0.25f;
    return m;
}

template <class S>
S roundTrip(const S& s)
{
    std::vector<std::string> problems;
    S back;
    fromJson(nlohmann::json::parse(toJson(s).dump()), back, problems);
    if (!problems.empty())
        qWarning("%s", problems.front().c_str());
    return problems.empty() ? back : S{};
}

// The value that follows `option` in `args` (empty when absent).
std::string after(const std::vector<std::string>& args, const std::string& option)
{
    for (std::size_t i = 0; i + 1 < args.size(); ++i)
        if (args[i] == option)
            return args[i + 1];
    return {};
}

bool has(const std::vector<std::string>& args, const std::string& option)
{
    return std::find(args.begin(), args.end(), option) != args.end();
}

} // namespace

class TestLabSettings : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyFieldSurvivesJson();
    void readerKeepsWhatItCanAndSaysWhatItCouldNot();
    void numbersReadBackExactly();
    void commandQuotingSplitsBack();
    void argumentsNameEverySetting();
    void reductionMethodSurvivesJsonAndCommand();
    void compareSurvivesJsonAndCommand();
};

void TestLabSettings::everyFieldSurvivesJson()
{
    ToMeSettings t;
    t.model = unusualModel();
    t.image = "/x/y z.png";
    t.schedule = ToMeSettings::Schedule::Inflection;
    t.r = 13;
    t.inflection = 0.3;
    t.list = {5, 4, 3};
    t.proportionalAttention = false;
    t.layer = 7;
    t.opacity = 0.37;
    t.borders = false;
    t.colours = ToMeSettings::Colours::Random;
    t.selectedPatch = 41;
    t.attention = {true, 3, 2, true, AttentionSettings::Range::FromZero};
    const ToMeSettings t2 = roundTrip(t);
    QVERIFY(t2.attention == t.attention);
    QVERIFY(t2.model == t.model);
    QCOMPARE(t2.image, t.image);
    QVERIFY(t2.schedule == t.schedule);
    QCOMPARE(t2.r, 13);
    QCOMPARE(t2.inflection, 0.3);
    QCOMPARE(t2.list, t.list);
    QCOMPARE(t2.proportionalAttention, false);
    QCOMPARE(t2.layer, 7);
    QCOMPARE(t2.opacity, 0.37);
    QCOMPARE(t2.borders, false);
    QVERIFY(t2.colours == ToMeSettings::Colours::Random);
    QCOMPARE(t2.selectedPatch, 41);

    FitSettings f;
    f.image = "i.png";
    f.seed = 9;
    f.checkpoint = "c.safetensors";
    f.checkpointSha256 = "ab";
    f.normalisation = unusualModel().normalisation;
    f.groupSize = 3;
    f.latents = 5;
    f.latentWidth = 128;
    f.latentHeads = 2;
    f.pattern = "L1G2";
    f.size = 320;
    f.autoregressive = true;
    f.block = 1;
    f.group = 4;
    f.latent = 2;
    f.range = FitSettings::Range::Data;
    const FitSettings f2 = roundTrip(f);
    QCOMPARE(f2.image, f.image);
    QCOMPARE(f2.seed, f.seed);
    QCOMPARE(f2.checkpoint, f.checkpoint);
    QCOMPARE(f2.checkpointSha256, f.checkpointSha256);
    QVERIFY(f2.normalisation == f.normalisation);
    QCOMPARE(f2.groupSize, 3);
    QCOMPARE(f2.latents, 5);
    QCOMPARE(f2.latentWidth, 128);
    QCOMPARE(f2.latentHeads, 2);
    QCOMPARE(f2.pattern, f.pattern);
    QCOMPARE(f2.size, 320);
    QCOMPARE(f2.autoregressive, true);
    QCOMPARE(f2.block, 1);
    QCOMPARE(f2.group, 4);
    QCOMPARE(f2.latent, 2);
    QVERIFY(f2.range == FitSettings::Range::Data);

    FamSettings a;
    a.model = unusualModel();
    a.image = "";
    a.streamLength = 1000;
    a.block = 8;
    a.memory = 0;
    a.fam = 3;
    a.withFam = false;
    a.causal = false;
    a.streamSeed = 5;
    a.promptSeed = 6;
    a.overlayBlock = 2;
    a.layer = 3;
    a.query = 6;
    a.range = FamSettings::Range::Data;
    const FamSettings a2 = roundTrip(a);
    QVERIFY(a2.model == a.model);
    QCOMPARE(a2.streamLength, 1000);
    QCOMPARE(a2.block, 8);
    QCOMPARE(a2.memory, 0);
    QCOMPARE(a2.fam, 3);
    QCOMPARE(a2.withFam, false);
    QVERIFY(a2.causal.has_value() && !*a2.causal);
    QCOMPARE(a2.streamSeed, std::uint64_t(5));
    QCOMPARE(a2.promptSeed, std::uint64_t(6));
    QCOMPARE(a2.overlayBlock, 2);
    QCOMPARE(a2.layer, 3);
    QCOMPARE(a2.query, 6);
    QVERIFY(a2.range == FamSettings::Range::Data);
    a.range = FamSettings::Range::Fixed;
    QVERIFY(roundTrip(a).range == FamSettings::Range::Fixed);

    MaskSettings m;
    m.kinds = {"swa", "causal", "fit"};
    m.length = 100;
    m.window = 7;
    m.block = 9;
    m.memory = 2;
    m.fam = 3;
    m.group = 10;
    m.latents = 4;
    m.causal = false;
    m.autoregressive = true;
    m.width = 64;
    m.depth = 9;
    m.region[0] = 1;
    m.region[1] = 50;
    m.region[2] = 2;
    m.region[3] = 60;
    m.pixels = 300;
    m.panelSide = 310;
    const MaskSettings m2 = roundTrip(m);
    QCOMPARE(m2.kinds, m.kinds);
    QCOMPARE(m2.length, 100);
    QCOMPARE(m2.window, 7);
    QCOMPARE(m2.block, 9);
    QCOMPARE(m2.memory, 2);
    QCOMPARE(m2.fam, 3);
    QCOMPARE(m2.group, 10);
    QCOMPARE(m2.latents, 4);
    QCOMPARE(m2.causal, false);
    QCOMPARE(m2.autoregressive, true);
    QCOMPARE(m2.width, 64);
    QCOMPARE(m2.depth, 9);
    QVERIFY(m2.zoomed());
    QCOMPARE(*m2.region[1], std::int64_t(50));
    QCOMPARE(*m2.region[3], std::int64_t(60));
    QCOMPARE(m2.pixels, 300);
    QCOMPARE(m2.panelSide, 310);

    FlopSettings p;
    p.presets = {"gpt3-350m"};
    p.customModels = {"mine"};
    p.customModelsJson = R"({"models": [{"name": "mine", "preset": "vit-s16", "depth": 3}]})";
    p.lengths = "256,512";
    p.convention = "macs";
    p.mode = "breakdown";
    p.reference = "mine";
    p.byStage = true;
    p.measure = true;
    p.measureMaxLength = 512;
    p.figureWidth = 801;
    p.figureHeight = 402;
    const FlopSettings p2 = roundTrip(p);
    QCOMPARE(p2.presets, p.presets);
    QCOMPARE(p2.customModels, p.customModels);
    QCOMPARE(nlohmann::json::parse(p2.customModelsJson), nlohmann::json::parse(p.customModelsJson));
    QCOMPARE(p2.lengths, p.lengths);
    QCOMPARE(p2.convention, p.convention);
    QCOMPARE(p2.mode, p.mode);
    QCOMPARE(p2.reference, p.reference);
    QCOMPARE(p2.byStage, true);
    QCOMPARE(p2.measure, true);
    QCOMPARE(p2.measureMaxLength, 512LL);
    QCOMPARE(p2.figureWidth, 801);
    QCOMPARE(p2.figureHeight, 402);
}

void TestLabSettings::readerKeepsWhatItCanAndSaysWhatItCouldNot()
{
    // An older file holds fewer fields (defaults stay, nothing reported); wrong values are named.
    const nlohmann::json j = {{"r", 5}, {"opacity", "half"}, {"layer", -7}, {"borders", false}, {"list", {1, -2}},
                              {"model", {{"std", {1, 0, 1}}, {"seed", "12"}}}, {"unknown", 1}};
    ToMeSettings s;
    std::vector<std::string> problems;
    fromJson(j, s, problems);
    QCOMPARE(s.r, 5);
    QCOMPARE(s.borders, false);
    QCOMPARE(s.model.source.seed, std::uint64_t(12));
    QCOMPARE(s.opacity, ToMeSettings().opacity);
    QCOMPARE(s.layer, ToMeSettings().layer);
    QCOMPARE(s.list, ToMeSettings().list);
    QVERIFY(s.model.normalisation == Normalisation());
    QCOMPARE(int(problems.size()), 4);
    QStringList all;
    for (const auto& p : problems)
        all << QString::fromStdString(p);
    QVERIFY2(all.join('|').contains("opacity: expected a number"), qPrintable(all.join('|')));
    QVERIFY(all.join('|').contains("layer: must be between -1"));
    QVERIFY(all.join('|').contains("list: expected a list of non-negative integers"));
    QVERIFY(all.join('|').contains("model.std: expected three finite numbers above 0"));

    // The attention view's fields are checked the same way.
    ToMeSettings a;
    problems.clear();
    fromJson(nlohmann::json{{"attention", {{"shown", true}, {"head", -4}, {"range", "log"}, {"block", 2}}}}, a, problems);
    QVERIFY(a.attention.shown);
    QCOMPARE(a.attention.block, 2);
    QCOMPARE(a.attention.head, -1);
    QVERIFY(a.attention.range == AttentionSettings::Range::Data);
    QCOMPARE(int(problems.size()), 2);
    QVERIFY(QString::fromStdString(problems[0] + problems[1]).contains("attention.range: expected data or from-zero"));

    // The FAM figure's colour range: an unknown name is reported and the default kept.
    FamSettings f;
    problems.clear();
    fromJson(nlohmann::json{{"range", "log"}, {"block", 8}}, f, problems);
    QCOMPARE(f.block, 8);
    QVERIFY(f.range == FamSettings::Range::FromZero);
    QCOMPARE(int(problems.size()), 1);
    QVERIFY2(QString::fromStdString(problems[0]).contains("range: expected from-zero, data or fixed, got 'log'"), problems[0].c_str());
}

void TestLabSettings::numbersReadBackExactly()
{
    for (double v : {0.37, 0.1, 1.0 / 3.0, 1e-300, 123456.789, -0.5})
        QCOMPARE(std::strtod(exactNumber(v).c_str(), nullptr), v);
    for (float v : {0.229f, 0.1f, 1.0f / 3.0f, 1e-7f, 3.4e38f})
        QCOMPARE(static_cast<float>(std::strtod(exactNumber(v).c_str(), nullptr)), v);
    QCOMPARE(exactNumber(0.5), std::string("0.5"));
}

void TestLabSettings::commandQuotingSplitsBack()
{
    const std::vector<std::string> args = {"merge", "--image", "/a b/it's \"x\".png", "--mean", "0.5,0.5,0.5", "", "plain"};
    const std::string line = commandLine(args);
    QVERIFY(line.rfind("tokenscope merge --image '/a b/it'\\''s \"x\".png' --mean 0.5,0.5,0.5 '' plain", 0) == 0);
    std::vector<std::string> back = splitCommandLine(line);
    QCOMPARE(back.front(), std::string("tokenscope"));
    back.erase(back.begin());
    QCOMPARE(back, args);
}

void TestLabSettings::reductionMethodSurvivesJsonAndCommand()
{
    ToMeSettings t;
    t.reduction.method = ReductionMethod::EVit;
    t.reduction.keepRate = 0.55;
    t.reduction.layers = {2, 5};
    t.reduction.linkage = Linkage::Complete;
    t.reduction.margin = 0.75;
    const ToMeSettings t2 = roundTrip(t);
    QVERIFY(t2.reduction.method == ReductionMethod::EVit);
    QCOMPARE(t2.reduction.keepRate, 0.55);
    QCOMPARE(t2.reduction.layers, (std::vector<int>{2, 5}));
    QVERIFY(t2.reduction.linkage == Linkage::Complete);
    QCOMPARE(t2.reduction.margin, 0.75);
    std::vector<std::string> a = recipeArguments(t);
    QCOMPARE(after(a, "--method"), std::string("evit"));
    QCOMPARE(after(a, "--keep-rate"), std::string("0.55"));
    QCOMPARE(after(a, "--layers"), std::string("3,6"));
    QVERIFY(!has(a, "--r") && !has(a, "--linkage") && !has(a, "--margin"));
    t.reduction = ReductionOptions();
    t.reduction.method = ReductionMethod::PiToMe;
    t.reduction.margin = 0.75;
    a = recipeArguments(t);
    QCOMPARE(after(a, "--method"), std::string("pitome"));
    QCOMPARE(after(a, "--margin"), std::string("0.75"));
    QCOMPARE(after(a, "--r"), std::to_string(t.r));
    // ToMe writes no method fields: its settings and recipes read as before.
    QVERIFY(!toJson(ToMeSettings()).contains("method"));
    QVERIFY(!has(recipeArguments(ToMeSettings()), "--method"));
    // An unknown method is reported, the rest kept.
    nlohmann::json j = toJson(t);
    j["method"] = "tofu";
    std::vector<std::string> problems;
    ToMeSettings t3;
    fromJson(j, t3, problems);
    QCOMPARE(problems.size(), std::size_t(1));
    QVERIFY(t3.reduction.method == ReductionMethod::ToMe);
    QCOMPARE(t3.reduction.margin, 0.75);
}

// The Compare lab's settings: every field through JSON; the command names the methods, the
// budget, each named method's own parameter (and no other's) and the view; a bad method list is
// reported and the methods kept.
void TestLabSettings::compareSurvivesJsonAndCommand()
{
    CompareSettings c;
    c.model = unusualModel();
    c.image = "/x/y z.png";
    c.methods = {ReductionMethod::EVit, ReductionMethod::PiToMe};
    c.fraction = 0.55;
    c.margin = 0.75;
    c.linkage = Linkage::Single;
    c.evitLayers = {2, 5};
    c.layer = 4;
    c.selectedPatch = 17;
    const CompareSettings c2 = roundTrip(c);
    QCOMPARE(toJson(c2).dump(), toJson(c).dump());
    QVERIFY(c2.methods == c.methods && c2.linkage == Linkage::Single && c2.evitLayers == c.evitLayers);
    std::vector<std::string> a = recipeArguments(c);
    QCOMPARE(a.front(), std::string("compare"));
    QCOMPARE(after(a, "--methods"), std::string("evit,pitome"));
    QCOMPARE(after(a, "--fraction"), std::string("0.55"));
    QCOMPARE(after(a, "--margin"), std::string("0.75"));
    QCOMPARE(after(a, "--layers"), std::string("3,6"));
    QCOMPARE(after(a, "--layer"), std::string("4"));
    QCOMPARE(after(a, "--select"), std::string("17"));
    QVERIFY(!has(a, "--linkage") && !has(a, "--gflops")); // ATC is not compared
    c.gflops = 2.5;
    a = recipeArguments(c);
    QVERIFY(after(a, "--gflops") == "2.5" && !has(a, "--fraction"));
    const std::vector<ReductionOptions> options = reductionOptionsOf(c);
    QCOMPARE(options.size(), std::size_t(2));
    QVERIFY(options[0].layers == c.evitLayers && options[1].layers.empty() && options[1].margin == 0.75);
    nlohmann::json j = toJson(c);
    j["methods"] = {"tome", "tofu"};
    std::vector<std::string> problems;
    CompareSettings c3;
    fromJson(j, c3, problems);
    QCOMPARE(problems.size(), std::size_t(1));
    QVERIFY(c3.methods == CompareSettings().methods);
    QCOMPARE(c3.fraction, 0.55);
}

void TestLabSettings::argumentsNameEverySetting()
{
    ToMeSettings t;
    t.model = unusualModel();
    t.model.source.checkpoint.clear();
    t.opacity = 0.37;
    t.borders = false;
    t.selectedPatch = 12;
    t.layer = 4;
    t.schedule = ToMeSettings::Schedule::List;
    std::vector<std::string> a = recipeArguments(t);
    QCOMPARE(a.front(), std::string("merge"));
    QCOMPARE(after(a, "--preset"), std::string("vit-ti16"));
    QCOMPARE(after(a, "--seed"), std::string("123456789012"));
    QCOMPARE(after(a, "--size"), std::string("160"));
    QCOMPARE(after(a, "--mean"), std::string("0.5,0.1,1e-07"));
    QCOMPARE(after(a, "--std"), std::string("0.3,2.5,0.25"));
    QCOMPARE(after(a, "--opacity"), std::string("0.37"));
    QCOMPARE(after(a, "--select"), std::string("12"));
    QCOMPARE(after(a, "--layer"), std::string("4"));
    QCOMPARE(after(a, "--schedule"), std::string("16,16,12,12,8,8,4,4,0,0,0,0"));
    QVERIFY(has(a, "--no-borders"));
    QVERIFY(!has(a, "--r") && !has(a, "--checkpoint"));
    // ImageNet's normalisation is the command line's default: not repeated.
    t.model.normalisation = Normalisation();
    a = recipeArguments(t);
    QVERIFY(!has(a, "--mean") && !has(a, "--std"));

    // The attention figure's command: its view settings, and the normalisation as --norm-mean /
    // --norm-std (its --mean is the head mean).
    t.model = unusualModel();
    t.model.source.checkpoint.clear();
    t.attention = {true, 6, -1, true, AttentionSettings::Range::FromZero};
    a = attentionRecipeArguments(t);
    QCOMPARE(a.front(), std::string("attention"));
    QCOMPARE(after(a, "--block"), std::string("7"));
    QCOMPARE(after(a, "--norm-mean"), std::string("0.5,0.1,1e-07"));
    QCOMPARE(after(a, "--norm-std"), std::string("0.3,2.5,0.25"));
    QCOMPARE(after(a, "--schedule"), std::string("16,16,12,12,8,8,4,4,0,0,0,0"));
    QCOMPARE(after(a, "--colour-range"), std::string("from-zero"));
    QVERIFY(has(a, "--mean") && has(a, "--rollout") && !has(a, "--head") && !has(a, "--std") && !has(a, "--opacity"));
    t.attention.head = 2;
    a = attentionRecipeArguments(t);
    QCOMPARE(after(a, "--head"), std::string("2"));
    QVERIFY(!has(a, "--mean"));

    FamSettings f;
    f.model = unusualModel();
    f.image = "x.png";
    f.withFam = false;
    a = recipeArguments(f);
    QCOMPARE(after(a, "--checkpoint"), f.model.source.checkpoint);
    QCOMPARE(after(a, "--checkpoint-sha256"), std::string("00ff"));
    QVERIFY(has(a, "--no-fam") && !has(a, "--fam") && !has(a, "--preset"));
    QCOMPARE(after(a, "--overlay"), std::string("block:5"));
    QVERIFY(!has(a, "--query")); // the mean, the default
    f.query = 4;
    QCOMPARE(after(recipeArguments(f), "--query"), std::string("4"));
    QCOMPARE(after(a, "--colour-range"), std::string("from-zero"));
    f.range = FamSettings::Range::Data;
    QCOMPARE(after(recipeArguments(f), "--colour-range"), std::string("data"));

    MaskSettings m;
    a = recipeArguments(m);
    QCOMPARE(after(a, "--kind"), std::string("fam"));
    QCOMPARE(after(a, "--compare"), std::string("bswa"));
    QCOMPARE(after(a, "--panel-side"), std::string("512"));
    QVERIFY(!has(a, "--region"));

    FitSettings fit;
    fit.group = 3;
    fit.latent = 1;
    fit.block = 0;
    a = recipeArguments(fit);
    QCOMPARE(after(a, "--overlay"), std::string("latent:3,1"));
    QCOMPARE(after(a, "--block"), std::string("1"));
    QCOMPARE(after(a, "--size"), std::string("448"));
    QCOMPARE(after(a, "--colour-range"), std::string("fixed"));

    FlopSettings p;
    p.customModels = {"x"};
    p.mode = "ratio";
    p.reference = "vit-b16";
    a = recipeArguments(p);
    QCOMPARE(after(a, "--config"), std::string(kCustomFlopModelsFile));
    QCOMPARE(after(a, "--baseline"), std::string("vit-b16"));
    QCOMPARE(after(a, "--figure-size"), std::string("960x600"));
    QVERIFY(!has(a, "--measure"));
}

QTEST_GUILESS_MAIN(TestLabSettings)
#include "tst_lab_settings.moc"
