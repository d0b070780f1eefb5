// `tokenscope flops` as a user runs it: curves to JSON / CSV / figure, a config file, a measured
// run, and one-line refusals for bad input.
#include "tests/common/cli_runner.h"
#include "tests/common/test_paths.h"

#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

class TestCliFlops : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void presetsToJsonCsvAndFigure();
    void configFileAndMeasure();
    void badInputExitsWithOneLine_data();
    void badInputExitsWithOneLine();

private:
    using Run = ts::test::CliRun;
    static Run run(const QStringList& args) { return ts::test::runTokenscope(args); }
    QString write(const QString& name, const QByteArray& text)
    {
        QFile f(m_dir.filePath(name));
        f.open(QIODevice::WriteOnly);
        f.write(text);
        return f.fileName();
    }
    QTemporaryDir m_dir;
};

void TestCliFlops::presetsToJsonCsvAndFigure()
{
    const QString json = m_dir.filePath("f.json"), csv = m_dir.filePath("f.csv"), png = m_dir.filePath("f.png"),
                  svg = m_dir.filePath("f.svg");
    Run r = run({"flops", "--preset", "vit-b16,fit-13b", "--lengths", "1024:1048576:x2", "--breakdown", "--json", json,
                 "--csv", csv, "--out", png});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(r.out.contains("attn_qk"));
    QVERIFY(r.out.contains("fitted exponent"));
    QFile f(json);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject root = QJsonDocument::fromJson(f.readAll()).object();
    QVERIFY(root["convention"].toObject()["label"].toString().contains("1 MAC = 2 FLOPs"));
    const QJsonArray vit = root["architectures"].toObject()["vit-b16"].toArray();
    QCOMPARE(vit.size(), 11);
    QCOMPARE(vit[0].toObject()["length"].toInteger(), 1024);
    QVERIFY(vit[0].toObject()["parts"].toObject().contains("patch_embed"));
    QVERIFY(root["architectures"].toObject()["fit-13b"].toArray()[0].toObject()["parts"].toObject().contains("cross_qk"));
    QFile c(csv);
    QVERIFY(c.open(QIODevice::ReadOnly));
    QCOMPARE(c.readAll().count('\n'), 1 + 2 * 11);
    const QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.text("tokenscope:command").contains("tokenscope flops"));

    r = run({"flops", "--preset", "gpt3-350m,fit-350m", "--lengths", "4096,65536", "--convention", "macs+training",
             "--mode", "ratio", "--baseline", "gpt3-350m", "--out", svg});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile s(svg);
    QVERIFY(s.open(QIODevice::ReadOnly));
    const QByteArray text = s.readAll();
    QVERIFY(text.contains("<svg"));
    QVERIFY(text.contains("macs+training"));
}

void TestCliFlops::configFileAndMeasure()
{
    const QString config = write("tiny.json", R"j({"models": [
        {"name": "tiny-vit", "architecture": "transformer", "depth": 2, "width": 32, "heads": 2, "patch_size": 4,
         "head_outputs": 10},
        {"name": "tiny-fam", "architecture": "fam", "depth": 2, "width": 32, "heads": 2, "block": 16, "memory": 1,
         "fam_length": 4}]})j");
    const QString json = m_dir.filePath("m.json");
    const Run r = run({"flops", "--config", config, "--lengths", "64,256", "--measure", "--json", json});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile f(json);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject curves = QJsonDocument::fromJson(f.readAll()).object()["architectures"].toObject();
    for (const QString& name : {QString("tiny-vit"), QString("tiny-fam")})
        for (const auto& v : curves[name].toArray()) {
            const QJsonObject p = v.toObject();
            QCOMPARE(p["measure_status"].toString(), QString("ran"));
            QVERIFY(std::abs(p["measured_flops"].toDouble() / p["flops"].toDouble() - 1) < 0.01);
            QVERIFY(p["seconds"].toDouble() > 0);
            QVERIFY(p["peak_memory_bytes"].toDouble() > 0);
        }
}

void TestCliFlops::badInputExitsWithOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("expected");
    QTest::newRow("no model") << QStringList{"flops", "--lengths", "1024"} << "--preset";
    QTest::newRow("unknown preset") << QStringList{"flops", "--preset", "gpt-9", "--lengths", "1024"} << "unknown preset";
    QTest::newRow("bad lengths") << QStringList{"flops", "--preset", "vit-b16", "--lengths", "1024:x2"} << "lengths";
    QTest::newRow("bad convention") << QStringList{"flops", "--preset", "vit-b16", "--lengths", "1024", "--convention", "x"}
                                    << "convention";
    QTest::newRow("bad figure format") << QStringList{"flops", "--preset", "vit-b16", "--lengths", "1024", "--out", "a.bmp"}
                                       << "unknown figure format";
    QTest::newRow("missing config") << QStringList{"flops", "--config", "/nonexistent/x.json", "--lengths", "1024"}
                                    << "cannot open the file";
}

void TestCliFlops::badInputExitsWithOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, expected);
    const Run r = run(args);
    QCOMPARE(r.code, 1);
    const QStringList lines = r.err.trimmed().split('\n');
    QVERIFY2(lines.last().contains(expected), qPrintable(r.err));
    // Impossible sizes in a config file name the field.
    const QString bad = write("bad.json", R"j({"preset": "fit-13b", "latents_per_group": 0})j");
    const Run b = run({"flops", "--config", bad, "--lengths", "1024"});
    QCOMPARE(b.code, 1);
    QVERIFY2(b.err.contains("latents_per_group"), qPrintable(b.err));
}

QTEST_GUILESS_MAIN(TestCliFlops)
#include "tst_cli_flops.moc"
