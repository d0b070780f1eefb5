// `tokenscope merge` as a user runs it: the map, the JSON, and one-line refusals.
#include "tests/common/cli_runner.h"
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
    QTest::newRow("schedule too long") << QStringList{"merge", "--image", img, "--preset", "vit-ti16", "--schedule", "1,1,1,1,1,1,1,1,1,1,1,1,1", "--out", out}
                                       << "13 entries";
}

void TestCliMerge::badInputExitsWithOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, messagePart);
    const Run r = run(args);
    QCOMPARE(r.code, 1);
    const QStringList lines = r.err.trimmed().split('\n', Qt::SkipEmptyParts);
    QString ours;
    for (const QString& line : lines)
        if (line.startsWith("tokenscope merge:"))
            ours += line + "\n";
    QCOMPARE(ours.count('\n'), 1);
    QVERIFY2(ours.contains(messagePart), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCliMerge)
#include "tst_cli_merge.moc"
