// `tokenscope merge` as a user runs it: the map, the JSON, and one-line refusals.
#include "tests/common/cli_runner.h"
#include "tests/common/recipe_rerun.h"
#include "tests/common/test_paths.h"

#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

class TestCliMerge : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesMapAndJson();
    void eachMethod_data();
    void eachMethod();
    void badInputExitsWithOneLine_data();
    void badInputExitsWithOneLine();

private:
    using Run = ts::test::CliRun;
    static Run run(const QStringList& args) { return ts::test::runTokenscope(args); }
    QTemporaryDir m_dir;
};

void TestCliMerge::writesMapAndJson()
{
    const QString map = m_dir.filePath("map.png"), json = m_dir.filePath("out.json");
    const Run r = run({"merge", "--image", ts::test::sampleImage("coffee.png"), "--preset", "vit-ti16", "--seed", "4", "--r",
                       "16", "--layer", "6", "--out", map, "--json", json});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QImage image(map);
    QVERIFY(!image.isNull());
    QVERIFY(image.text("tokenscope:command").contains("tokenscope merge"));
    QFile f(json);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonArray tokens = o["tokens_per_layer"].toArray();
    QCOMPARE(tokens.size(), 12);
    QCOMPARE(tokens.first().toInt(), 181);
    QCOMPARE(tokens.last().toInt(), 11); // 197 - 11 * 16 = 21, then r clamps to (21 - 1) / 2
    const QJsonArray source = o["source"].toArray();
    QCOMPARE(source.size(), 12);
    QCOMPARE(source.first().toArray().size(), 196);
    const QJsonArray sizes = o["sizes"].toArray();
    for (int k = 0; k < 12; ++k) {
        int sum = 0;
        for (const auto& v : sizes[k].toArray())
            sum += v.toInt();
        QCOMPARE(sum, 197);
        QCOMPARE(sizes[k].toArray().size(), tokens[k].toInt());
    }
    QCOMPARE(o["weights"].toString(), QString("random(4)"));
    QCOMPARE(o["model"].toObject()["preset"].toString(), QString("vit-ti16"));
    QCOMPARE(o["model"].toObject()["depth"].toInt(), 12);
    QCOMPARE(o["model"].toObject()["width"].toInt(), 192);
    QCOMPARE(o["top5"].toArray().size(), 5);
    // The final vector (1000 logits) and what the model is.
    QCOMPARE(o["output"].toArray().size(), 1000);
    QCOMPARE(o["model"].toObject()["family"].toString(), QString("vit"));
    QCOMPARE(o["model"].toObject()["format"].toString(), QString("timm"));
    QCOMPARE(o["model"].toObject()["prefix_tokens"].toInt(), 1);
}

void TestCliMerge::eachMethod_data()
{
    QTest::addColumn<QStringList>("options");
    QTest::addColumn<QString>("method");
    QTest::addColumn<int>("last");     // tokens after block 12
    QTest::addColumn<QString>("recipe"); // part of the PNG's regenerating command
    QTest::newRow("tome") << QStringList{"--method", "tome", "--r", "8"} << "tome" << 101 << "--r 8";
    QTest::newRow("pitome r") << QStringList{"--method", "pitome", "--r", "8", "--margin", "0.75"} << "pitome" << 101
                              << "--method pitome --margin 0.75";
    QTest::newRow("pitome keep ratio") << QStringList{"--method", "pitome", "--keep-ratio", "0.9"} << "pitome" << 60
                                       << "--keep-ratio 0.9";
    QTest::newRow("atc complete") << QStringList{"--method", "atc", "--r", "12", "--linkage", "complete"} << "atc" << 53
                                  << "--linkage complete";
    QTest::newRow("evit default") << QStringList{"--method", "evit"} << "evit" << 72 << "--keep-rate 0.7";
    QTest::newRow("evit r at layers") << QStringList{"--method", "evit", "--r", "30", "--layers", "2,6"} << "evit" << 137
                                      << "--layers 2,6";
}

void TestCliMerge::eachMethod()
{
    QFETCH(QStringList, options);
    QFETCH(QString, method);
    QFETCH(int, last);
    QFETCH(QString, recipe);
    const QString map = m_dir.filePath(method + ".png"), json = m_dir.filePath(method + ".json");
    const Run r = run(QStringList{"merge", "--image", ts::test::sampleImage("chelsea.png"), "--preset", "vit-ti16", "--seed", "5",
                                  "--out", map, "--json", json}
                      + options);
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile f(json);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(o["method"].toString(), method);
    const QJsonArray tokens = o["tokens_per_layer"].toArray();
    QCOMPARE(tokens.size(), 12);
    QCOMPARE(tokens.last().toInt(), last);
    QCOMPARE(o["source"].toArray().last().toArray().size(), 196);
    QCOMPARE(o["flops_merged"].toDouble(), o["flops_analytic"].toDouble());
    QCOMPARE(o["proportional_attention"].toBool(), method != "evit");
    const QString command = QImage(map).text("tokenscope:command");
    QVERIFY2(command.contains(recipe), qPrintable(command));
    // The embedded command draws the same figure again, the method and its options included.
    const ts::test::Rerun again = ts::test::rerunEmbeddedCommand(map);
    QVERIFY2(again.error.isEmpty(), qPrintable(again.error));
    QVERIFY2(!again.before.isNull() && again.after == again.before, qPrintable(again.command));
}

void TestCliMerge::badInputExitsWithOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("messagePart");
    const QString img = ts::test::sampleImage("chelsea.png");
    const QString out = QDir::tempPath() + "/tokenscope_cli_test.png";
    QTest::newRow("missing image file") << QStringList{"merge", "--image", "/no/such.png", "--out", out} << "cannot open";
    QTest::newRow("image is not an image") << QStringList{"merge", "--image", ts::test::sourceDir() + "/CMakeLists.txt", "--out", out}
                                           << "not a readable image";
    QTest::newRow("negative r") << QStringList{"merge", "--image", img, "--r", "-3", "--out", out} << "--r";
    QTest::newRow("r not a number") << QStringList{"merge", "--image", img, "--r", "many", "--out", out} << "expected an integer";
    QTest::newRow("unknown preset") << QStringList{"merge", "--image", img, "--preset", "vit-q9", "--out", out} << "unknown model preset";
    QTest::newRow("size not a patch multiple") << QStringList{"merge", "--image", img, "--size", "230", "--out", out} << "multiple of the patch";
    QTest::newRow("layer past the end") << QStringList{"merge", "--image", img, "--preset", "vit-ti16", "--layer", "13", "--out", out} << "--layer";
    QTest::newRow("unknown output format") << QStringList{"merge", "--image", img, "--out", "map.gif"} << "unknown figure format";
    QTest::newRow("unwritable output") << QStringList{"merge", "--image", img, "--preset", "vit-ti16", "--out", "/no/such/dir/map.png"} << "cannot write";
    QTest::newRow("missing checkpoint") << QStringList{"merge", "--image", img, "--checkpoint", "/no/model.safetensors", "--out", out}
                                        << "cannot open";
    QTest::newRow("unknown option") << QStringList{"merge", "--image", img, "--frobnicate", "--out", out} << "unknown option";
    QTest::newRow("unknown method") << QStringList{"merge", "--image", img, "--method", "tofu", "--out", out} << "unknown method";
    QTest::newRow("linkage without atc") << QStringList{"merge", "--image", img, "--linkage", "single", "--out", out}
                                         << "--linkage applies to --method atc only";
    QTest::newRow("unknown linkage") << QStringList{"merge", "--image", img, "--method", "atc", "--linkage", "ward", "--out", out}
                                     << "unknown linkage";
    QTest::newRow("keep ratio out of range") << QStringList{"merge", "--image", img, "--method", "pitome", "--keep-ratio", "1.5", "--out", out}
                                             << "--keep-ratio";
    QTest::newRow("keep ratio with r") << QStringList{"merge", "--image", img, "--method", "pitome", "--keep-ratio", "0.9", "--r", "4", "--out", out}
                                       << "not both";
    QTest::newRow("margin out of range") << QStringList{"merge", "--image", img, "--method", "pitome", "--margin", "2", "--out", out}
                                         << "--margin";
    QTest::newRow("keep rate zero") << QStringList{"merge", "--image", img, "--method", "evit", "--keep-rate", "0", "--out", out}
                                    << "--keep-rate";
    QTest::newRow("keep rate for tome") << QStringList{"merge", "--image", img, "--keep-rate", "0.5", "--out", out}
                                        << "--method evit only";
    QTest::newRow("layer past the depth") << QStringList{"merge", "--image", img, "--preset", "vit-ti16", "--method", "evit", "--layers", "4,13", "--out", out}
                                          << "outside blocks 1..12";
    QTest::newRow("layer zero") << QStringList{"merge", "--image", img, "--method", "atc", "--layers", "0", "--out", out}
                                << "--layers";
    QTest::newRow("schedule too long") << QStringList{"merge", "--image", img, "--preset", "vit-ti16", "--schedule", "1,1,1,1,1,1,1,1,1,1,1,1,1", "--out", out}
                                       << "13 entries";
}

void TestCliMerge::badInputExitsWithOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, messagePart);
    const Run r = run(args);
    QCOMPARE(r.code, 1);
    const QString ours = ts::test::commandErrorLines(r, "merge");
    QCOMPARE(ours.count('\n'), 1);
    QVERIFY2(ours.contains(messagePart), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCliMerge)
#include "tst_cli_merge.moc"
