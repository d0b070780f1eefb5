// `tokenscope mask` and `tokenscope fam` as a user runs them: the JSON they write (exact pair
// count, keys per query, rows; blocks, peak memory, seconds) and one-line refusals of bad sizes.
#include "tests/common/cli_runner.h"
#include "tests/common/test_paths.h"

#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

class TestCliMask : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void maskWritesFigureAndJson();
    void badSizesExitWithOneLine_data();
    void badSizesExitWithOneLine();
    void famStreamWritesJson();

private:
    static int run(const QStringList& args, QString* err = nullptr)
    {
        const ts::test::CliRun r = ts::test::runTokenscope(args);
        if (err)
            *err = r.err.trimmed();
        return r.code;
    }
    QJsonObject readJson(const QString& path)
    {
        QFile f(path);
        f.open(QIODevice::ReadOnly);
        return QJsonDocument::fromJson(f.readAll()).object();
    }
    QTemporaryDir m_dir;
};

void TestCliMask::maskWritesFigureAndJson()
{
    const QString png = m_dir.filePath("bswa.png"), json = m_dir.filePath("bswa.json");
    // Fig. 1(b): block 2, memory 1 over 8 tokens: 1+2+3+4+3+4+3+4 = 24 pairs.
    QCOMPARE(run({"mask", "--kind", "bswa", "--length", "8", "--block", "2", "--memory", "1", "--out", png, "--json", json}), 0);
    QVERIFY(QFileInfo(png).size() > 1000);
    const QJsonObject o = readJson(json);
    QCOMPARE(o["length"].toInt(), 8);
    QCOMPARE(o["allowed_pairs"].toInt(), 24);
    QCOMPARE(o["keys_per_query"].toObject()["min"].toInt(), 1);
    QCOMPARE(o["keys_per_query"].toObject()["max"].toInt(), 4);
    QCOMPARE(o["keys_per_query"].toObject()["mean"].toDouble(), 3.0);
    const QJsonArray row2 = o["rows"].toArray()[2].toArray();
    QCOMPARE(row2.size(), 2);
    QCOMPARE(row2[0].toArray(), (QJsonArray{0, 2, "memory segment"}));
    QCOMPARE(row2[1].toArray(), (QJsonArray{2, 3, "current block"}));

    // A long FAM mask: exact count, no rows (too many queries).
    const QString big = m_dir.filePath("fam.json");
    QCOMPARE(run({"mask", "--kind", "fam", "--length", "1000000", "--block", "64", "--memory", "1", "--fam", "8", "--pixels",
                  "256", "--out", m_dir.filePath("fam.svg"), "--json", big}),
             0);
    const QJsonObject f = readJson(big);
    QVERIFY(!f.contains("rows"));
    QCOMPARE(f["allowed_pairs"].toVariant().toLongLong(), 113495968LL);
}

void TestCliMask::badSizesExitWithOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("message");
    const QString out = "x.png";
    QTest::newRow("zero length") << QStringList{"mask", "--kind", "causal", "--length", "0", "--out", out} << "length";
    QTest::newRow("negative block") << QStringList{"mask", "--kind", "bswa", "--length", "8", "--block", "-2", "--out", out}
                                    << "block";
    QTest::newRow("block > length") << QStringList{"mask", "--kind", "fam", "--length", "8", "--block", "9", "--fam", "1", "--out", out}
                                    << "larger than the sequence";
    QTest::newRow("FAM zero") << QStringList{"mask", "--kind", "fam", "--length", "8", "--block", "2", "--fam", "0", "--out", out}
                              << "FAM length";
    QTest::newRow("fam: block > stream") << QStringList{"fam", "--stream-length", "10", "--block", "11", "--memory", "1", "--fam",
                                                        "2", "--out", out}
                                         << "larger than the sequence";
    QTest::newRow("fam: FAM zero") << QStringList{"fam", "--stream-length", "10", "--block", "2", "--memory", "1", "--fam", "0",
                                                  "--out", out}
                                   << "FAM length";
    QTest::newRow("fam: query past the block") << QStringList{"fam", "--stream-length", "64", "--preset", "vit-ti16", "--block", "32",
                                                              "--memory", "1", "--fam", "4", "--query", "36", "--out", out}
                                               << "query 36 does not exist";
    QTest::newRow("fit: colour range") << QStringList{"fit", "--image", "x.png", "--group", "4", "--latents", "2", "--pattern", "L1G1",
                                                      "--colour-range", "loud", "--out", out}
                                       << "--colour-range must be fixed or data";
}

void TestCliMask::badSizesExitWithOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, message);
    QString err;
    QCOMPARE(run(args, &err), 1);
    QVERIFY2(err.contains(message), qPrintable(err));
    QCOMPARE(err.count('\n'), 0);
}

void TestCliMask::famStreamWritesJson()
{
    const QString json = m_dir.filePath("fam_run.json");
    QCOMPARE(run({"fam", "--stream-length", "64", "--preset", "vit-ti16", "--block", "32", "--memory", "1", "--fam", "4",
                  "--out", m_dir.filePath("fam_run.png"), "--json", json}),
             0);
    const QJsonObject o = readJson(json);
    QCOMPARE(o["blocks"].toInt(), 2);
    QVERIFY(o["peak_memory_bytes"].toDouble() > 0);
    QVERIFY(o["seconds"].toDouble() > 0);
    QCOMPARE(o["overlay"].toObject()["attention"].toArray().size(), 32);
}

QTEST_GUILESS_MAIN(TestCliMask)
#include "tst_cli_mask.moc"
