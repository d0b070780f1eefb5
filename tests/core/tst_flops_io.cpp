// FLOP config files, JSON and CSV exports: what a user writes is read as written, what the app
// writes reads back unchanged, and every malformed file is refused with the field named.
#include "core/flops/flop_config.h"
#include "core/flops/flop_presets.h"
#include "core/flops/flop_report.h"
#include "core/util/error.h"

#include <QtTest>

using namespace ts;

class TestFlopsIo : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void presetsRoundTripThroughConfig();
    void configOverridesPreset();
    void configDefaults();
    void badConfigNamesTheField_data();
    void badConfigNamesTheField();
    void jsonRoundTrip();
    void jsonHasTheIssueShape();
    void csvRoundTrip();

private:
    static FlopReport sampleReport();
};

FlopReport TestFlopsIo::sampleReport()
{
    FlopReport r = computeFlopCurves({flopPreset("vit-b16"), flopPreset("fit-vit-s16"), flopPreset("fam-1b")},
                                     {1024, 4096, 65536}, flopConvention("macs+causal-half"), /*fitOptimum=*/true);
    FlopMeasurement& m = r.series[0].points[0].measured;
    m.status = MeasureStatus::Ran;
    m.flops = 1.2345678901234567e12;
    m.parts = {{"qkv", 1e11}, {"mlp", 2.5e11}};
    m.analyticFlops = 1.2345e12;
    m.seconds = 0.125;
    m.peakMemoryBytes = 123456789;
    m.estimatedMemoryBytes = 223456789;
    FlopMeasurement& big = r.series[0].points[2].measured;
    big.status = MeasureStatus::TooLarge;
    big.note = "needs about 90 GiB, limit 20 GiB";
    big.estimatedMemoryBytes = 96636764160LL;
    r.series[1].points[1].measured.status = MeasureStatus::Unsupported;
    r.series[1].points[1].measured.note = "length must be a multiple of g, and \"quoted\"";
    return r;
}

void TestFlopsIo::presetsRoundTripThroughConfig()
{
    for (const ArchSpec& s : flopPresets()) {
        const ArchSpec back = archSpecFromJson(archSpecToJson(s), "test");
        QCOMPARE(archSpecToJson(back).dump(), archSpecToJson(s).dump());
        QCOMPARE(countFlops(back, 8192).total, countFlops(s, 8192).total);
    }
}

void TestFlopsIo::configOverridesPreset()
{
    const auto specs = parseFlopConfig(R"j({"models": [
        {"preset": "fit-13b", "name": "fit-13b-g1024", "group_size": 1024},
        {"name": "tiny", "architecture": "transformer", "depth": 2, "width": 64, "heads": 4, "mlp_ratio": 2,
         "patch_size": 0, "class_token": false, "head_outputs": 0, "causal": true}]})j");
    QCOMPARE(int(specs.size()), 2);
    QCOMPARE(specs[0].name, std::string("fit-13b-g1024"));
    QCOMPARE(specs[0].groupSize, 1024);
    QCOMPARE(specs[0].latentsPerGroup, 64);
    QCOMPARE(specs[0].depth, 40);
    QCOMPARE(specs[1].mlpHidden(), 128);
    QCOMPARE(countFlops(specs[1], 10).total, 2 * (2.0 * 10 * 64 * (3 * 64 + 64 + 2 * 128) + 4.0 * 100 * 64));

    // DeiT distilled: class and distillation tokens, two heads; registers on top round-trip too.
    const auto deit = parseFlopConfig(R"j({"preset": "vit-b16", "name": "deit-b-distilled", "extra_tokens": 5,
                                           "distillation_head": true})j");
    QCOMPARE(deit[0].prefixTokens(), 6);
    QCOMPARE(tokensFor(deit[0], 196), 202LL);
    const FlopBreakdown plain = countFlops(flopPreset("vit-b16"), 196), both = countFlops(deit[0], 196);
    QCOMPARE(both.part("head"), 2 * plain.part("head"));
    QCOMPARE(archSpecToJson(archSpecFromJson(archSpecToJson(deit[0]), "test")).dump(), archSpecToJson(deit[0]).dump());
}

void TestFlopsIo::configDefaults()
{
    // A FIT written from scratch: depth from the pattern, latents as wide as the data.
    const auto specs = parseFlopConfig(R"j({"name": "f", "architecture": "fit", "width": 256, "heads": 4,
        "group_size": 64, "latents_per_group": 8, "pattern": "L(3)G(1)L(3)"})j");
    QCOMPARE(specs[0].depth, 7);
    QCOMPARE(specs[0].latentWidth, 256);
    QCOMPARE(specs[0].latentHeads, 4);
    QVERIFY(!specs[0].classToken);
}

void TestFlopsIo::badConfigNamesTheField_data()
{
    QTest::addColumn<QString>("json");
    QTest::addColumn<QString>("expected");
    QTest::newRow("not json") << "{depth: 3" << "not valid JSON";
    QTest::newRow("unknown key") << R"j({"preset": "vit-b16", "widht": 3})j" << "widht: unknown field";
    QTest::newRow("wrong type") << R"j({"preset": "vit-b16", "depth": "twelve"})j" << "depth: expected a whole number";
    QTest::newRow("fraction") << R"j({"preset": "vit-b16", "width": 76.5})j" << "width: expected a whole number";
    QTest::newRow("negative") << R"j({"preset": "vit-b16", "heads": -1})j" << "heads: must be between";
    QTest::newRow("impossible heads") << R"j({"preset": "vit-b16", "heads": 7})j" << "heads 7 does not divide width";
    QTest::newRow("no architecture") << R"j({"depth": 3})j" << "architecture: missing";
    QTest::newRow("bad architecture") << R"j({"architecture": "mamba"})j" << "architecture: unknown architecture";
    QTest::newRow("bad preset") << R"j({"preset": "gpt-5"})j" << "preset: unknown preset";
    QTest::newRow("bad pattern") << R"j({"preset": "fit-13b", "pattern": "L(8)Q"})j" << "pattern";
    QTest::newRow("pattern vs depth") << R"j({"preset": "fit-13b", "depth": 12})j" << "depth 12 differs";
    QTest::newRow("distillation head alone") << R"j({"preset": "vit-b16", "distillation_head": true})j"
                                             << "distillation_head needs a class token, a second prefix token";
    QTest::newRow("registers on a stream") << R"j({"preset": "fam-1b", "extra_tokens": 4})j" << "extra_tokens is supported";
    QTest::newRow("head tokens") << R"j({"preset": "vit-b16", "head_tokens": "some"})j" << "head_tokens";
    QTest::newRow("schedule and r") << R"j({"preset": "tome-vit-b16", "r": 4, "schedule": [1]})j" << "schedule";
    QTest::newRow("long schedule") << R"j({"preset": "tome-vit-b16", "schedule": [1,1,1,1,1,1,1,1,1,1,1,1,1]})j" << "r (schedule)";
    QTest::newRow("second model") << R"j({"models": [{"preset": "vit-b16"}, {"preset": "fam-1b", "memory": -2}]})j"
                                  << "models[1].memory";
    QTest::newRow("same name twice") << R"j([{"preset": "vit-b16"}, {"preset": "vit-b16"}])j" << "used twice";
    QTest::newRow("empty list") << R"j({"models": []})j" << "no models";
}

void TestFlopsIo::badConfigNamesTheField()
{
    QFETCH(QString, json);
    QFETCH(QString, expected);
    QString message;
    try {
        parseFlopConfig(json.toStdString(), "my.json");
    } catch (const Error& e) {
        message = e.what();
    }
    QVERIFY2(message.contains(expected) && message.startsWith("my.json"), qPrintable(message));
}

void TestFlopsIo::jsonRoundTrip()
{
    const FlopReport r = sampleReport();
    const FlopReport back = flopReportFromJson(flopReportJson(r));
    QCOMPARE(back.convention.name(), r.convention.name());
    QCOMPARE(back.series.size(), r.series.size());
    for (std::size_t i = 0; i < r.series.size(); ++i) {
        QCOMPARE(back.series[i].spec.name, r.series[i].spec.name);
        QCOMPARE(archSpecToJson(back.series[i].spec).dump(), archSpecToJson(r.series[i].spec).dump());
        for (std::size_t k = 0; k < r.series[i].points.size(); ++k) {
            const FlopPoint &a = r.series[i].points[k], &b = back.series[i].points[k];
            QCOMPARE(b.length, a.length);
            QCOMPARE(b.analytic.total, a.analytic.total);
            QCOMPARE(b.analytic.parts, a.analytic.parts);
            QCOMPARE(b.analytic.stages, a.analytic.stages);
            QCOMPARE(b.analytic.elementwise, a.analytic.elementwise);
            QCOMPARE(b.measured.status, a.measured.status);
            QCOMPARE(b.measured.note, a.measured.note);
            QCOMPARE(b.measured.flops, a.measured.flops);
            QCOMPARE(b.measured.parts, a.measured.parts);
            QCOMPARE(b.measured.seconds, a.measured.seconds);
            QCOMPARE(b.measured.peakMemoryBytes, a.measured.peakMemoryBytes);
            QCOMPARE(b.measured.estimatedMemoryBytes, a.measured.estimatedMemoryBytes);
        }
    }
}

void TestFlopsIo::jsonHasTheIssueShape()
{
    const auto root = nlohmann::json::parse(flopReportJson(sampleReport()));
    QCOMPARE(root["convention"]["name"].get<std::string>(), std::string("macs+causal-half"));
    const auto& vit = root["architectures"]["vit-b16"];
    QVERIFY(vit.is_array());
    QCOMPARE(vit[1]["length"].get<long long>(), 4096LL);
    double sum = 0;
    for (const auto& item : vit[1]["parts"].items())
        sum += item.value().get<double>();
    QCOMPARE(vit[1]["flops"].get<double>(), sum);
    QCOMPARE(vit[0]["measured_flops"].get<double>(), 1.2345678901234567e12);
    QCOMPARE(vit[0]["seconds"].get<double>(), 0.125);
    QCOMPARE(vit[0]["peak_memory_bytes"].get<long long>(), 123456789LL);
    QVERIFY(!vit[1].contains("measured_flops")); // not run: no measured keys
    QCOMPARE(vit[2]["measure_status"].get<std::string>(), std::string("too_large"));
    QVERIFY(root["fit_optimum"]["fit-vit-s16"]["points"].size() == 3);
}

void TestFlopsIo::csvRoundTrip()
{
    const FlopReport r = sampleReport();
    const std::string csv = flopReportCsv(r);
    const FlopReport back = flopReportFromCsv(csv);
    QCOMPARE(back.convention.name(), r.convention.name());
    QCOMPARE(back.series.size(), r.series.size());
    for (std::size_t i = 0; i < r.series.size(); ++i) {
        QCOMPARE(back.series[i].spec.name, r.series[i].spec.name);
        QCOMPARE(back.series[i].spec.kind, r.series[i].spec.kind);
        for (std::size_t k = 0; k < r.series[i].points.size(); ++k) {
            const FlopPoint &a = r.series[i].points[k], &b = back.series[i].points[k];
            QCOMPARE(b.length, a.length);
            QCOMPARE(b.analytic.total, a.analytic.total);
            QCOMPARE(b.analytic.parts, a.analytic.parts);
            QCOMPARE(b.analytic.stages, a.analytic.stages);
            QCOMPARE(b.measured.status, a.measured.status);
            QCOMPARE(b.measured.note, a.measured.note);
            QCOMPARE(b.measured.flops, a.measured.flops);
            QCOMPARE(b.measured.parts, a.measured.parts);
            QCOMPARE(b.measured.peakMemoryBytes, a.measured.peakMemoryBytes);
        }
    }
    QVERIFY_THROWS_EXCEPTION(Error, flopReportFromCsv("length,flops\n1,2\n"));
    QVERIFY_THROWS_EXCEPTION(Error, flopReportFromCsv(csv.substr(0, csv.find('\n') + 1) + "vit,transformer,default,x\n"));
}

QTEST_GUILESS_MAIN(TestFlopsIo)
#include "tst_flops_io.moc"
