// `tokenscope fit` as a user runs it: the overlay figure, the JSON keys the issue lists, and
// one-line refusals (non-zero exit) for impossible configurations.
#include "tests/common/cli_runner.h"
#include "tests/common/test_paths.h"

#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

class TestCliFit : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesOverlayAndJson();
    void latentOverlay();
    void impossibleConfigsExitWithOneLine_data();
    void impossibleConfigsExitWithOneLine();

private:
    using Run = ts::test::CliRun;
    static Run run(const QStringList& args) { return ts::test::runTokenscope(args); }
    QJsonObject readJson(const QString& path)
    {
        QFile f(path);
        if (!f.open(QIODevice::ReadOnly))
            return {};
        return QJsonDocument::fromJson(f.readAll()).object();
    }
    QTemporaryDir m_dir;
};

void TestCliFit::writesOverlayAndJson()
{
    const QString png = m_dir.filePath("fit.png"), json = m_dir.filePath("fit.json");
    // 240 px = 15 x 15 patches; g = 4 pads to 16 x 16: 16 groups of 16 tokens.
    const Run r = run({"fit", "--image", ts::test::sampleImage("coffee.png"), "--group", "4", "--latents", "3", "--pattern",
                       "(1)1(1)1", "--latent-width", "192", "--size", "240", "--block", "1", "--overlay", "group:15", "--out", png,
                       "--json", json});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.text("tokenscope:command").contains("tokenscope fit"));
    const QJsonObject o = readJson(json);
    QCOMPARE(o["groups"].toInt(), 16);
    QCOMPARE(o["tokens_per_group"].toInt(), 16);
    QCOMPARE(o["latents_per_group"].toInt(), 3);
    const QStringList pattern = o["pattern"].toVariant().toStringList();
    QCOMPARE(pattern, (QStringList{"local", "read", "global", "write", "local", "read", "global"}));
    QVERIFY(o["peak_memory_bytes"].toDouble() > 0);
    QVERIFY(o["estimated_memory_bytes"].toDouble() > 0);
    QVERIFY(o["seconds"].toDouble() > 0);
    const QJsonObject overlay = o["overlay"].toObject();
    QCOMPARE(overlay["group"].toInt(), 15);
    QCOMPARE(overlay["block"].toInt(), 1);
    // The corner group holds 3 x 3 real patches (the rest is padding); its read weights cover them.
    const QJsonArray read = overlay["read_weights"].toArray();
    QCOMPARE(read.size(), 3);
    double sum = 0;
    for (const auto& row : read) {
        QCOMPARE(row.toArray().size(), 3);
        for (const auto& v : row.toArray())
            sum += v.toDouble();
    }
    QVERIFY(std::abs(sum - 1.0) < 1e-4); // each latent's weights sum to 1 over real patches only
    QCOMPARE(overlay["read_weights_per_latent"].toArray().size(), 3);
    const QJsonArray global = overlay["global_weights"].toArray();
    QCOMPARE(global.size(), 4);
    double globalSum = 0;
    for (const auto& row : global)
        for (const auto& v : row.toArray())
            globalSum += v.toDouble();
    QVERIFY(std::abs(globalSum - 1.0) < 1e-4);
}

void TestCliFit::latentOverlay()
{
    const QString png = m_dir.filePath("latent.png"), json = m_dir.filePath("latent.json");
    const Run r = run({"fit", "--image", ts::test::sampleImage("chelsea.png"), "--group", "7", "--latents", "2", "--pattern",
                       "L1G1", "--size", "224", "--overlay", "latent:3,1", "--out", png, "--json", json});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonObject overlay = readJson(json)["overlay"].toObject();
    QCOMPARE(overlay["kind"].toString(), QString("latent"));
    QCOMPARE(overlay["latent"].toInt(), 1);
    QCOMPARE(overlay["read_weights"].toArray().size(), 7);
}

void TestCliFit::impossibleConfigsExitWithOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    const QString image = ts::test::sampleImage("coffee.png");
    const QStringList base = {"fit", "--image", image, "--out", m_dir.filePath("x.png")};
    QTest::newRow("group larger than image") << (base + QStringList{"--group", "20", "--latents", "2", "--pattern", "L1G1", "--size", "224"})
                                             << "larger than the image";
    QTest::newRow("zero latents") << (base + QStringList{"--group", "4", "--latents", "0", "--pattern", "L1G1"}) << "--latents must be between 1 and 4096, got 0";
    QTest::newRow("bad pattern") << (base + QStringList{"--group", "4", "--latents", "2", "--pattern", "L(1)Q"}) << "column 5";
    QTest::newRow("no global layers") << (base + QStringList{"--group", "4", "--latents", "2", "--pattern", "L2"}) << "no global layers";
    // 25600 px: 2.56M tokens, 10K groups of 64 latents: about 64 GiB of activations.
    QTest::newRow("would not fit in memory")
        << (base + QStringList{"--group", "8", "--latents", "64", "--pattern", "L1G1", "--size", "25600"}) << "needs about";
    // Refused before resizing: the 60000 px square alone is 10.8 GB of pixels (this was an
    // out-of-memory kill once).
    QTest::newRow("image too large to resize")
        << (base + QStringList{"--group", "8", "--latents", "64", "--pattern", "L1G1", "--size", "60000"}) << "needs about";
    QTest::newRow("bad overlay") << (base + QStringList{"--group", "4", "--latents", "2", "--pattern", "L1G1", "--overlay", "patch:3"})
                                 << "--overlay must be";
    QTest::newRow("overlay group out of range")
        << (base + QStringList{"--group", "4", "--latents", "2", "--pattern", "L1G1", "--size", "224", "--overlay", "group:99"})
        << "does not exist";
}

void TestCliFit::impossibleConfigsExitWithOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Run r = run(args);
    QVERIFY(r.code != 0);
    QStringList lines;
    for (const QString& line : r.err.split('\n', Qt::SkipEmptyParts))
        if (line.startsWith("tokenscope fit:"))
            lines << line;
    QCOMPARE(lines.size(), 1);
    QVERIFY2(lines.first().contains(expected), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCliFit)
#include "tst_cli_fit.moc"
