// `tokenscope eval` as a user runs it: the JSON the issue names (one row per method and setting,
// "r" or "gflops_target", labels' accuracy, the skipped files), the CSV and the plot with its
// recipe, and one-line refusals before any work.
#include "tests/common/cli_runner.h"
#include "tests/common/image_folder_fixture.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

class TestCliEval : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void rowsPerMethodAndSetting();
    void gflopsTargetsAndPlot();
    void badInputExitsWithOneLine_data();
    void badInputExitsWithOneLine();

private:
    QJsonObject readJson(const QString& path) const;
    QTemporaryDir m_dir;
    QString m_folder;
    const QStringList m_model{"--preset", "vit-ti16", "--size", "64", "--seed", "2"};
};

void TestCliEval::initTestCase()
{
    m_folder = m_dir.filePath("images");
    ts::test::writeImageFolder(m_folder, 4, {"tabby", "goldfish"});
}

QJsonObject TestCliEval::readJson(const QString& path) const
{
    QFile f(path);
    if (!f.open(QIODevice::ReadOnly))
        return {};
    return QJsonDocument::fromJson(f.readAll()).object();
}

void TestCliEval::rowsPerMethodAndSetting()
{
    const QString json = m_dir.filePath("eval.json"), csv = m_dir.filePath("eval.csv");
    const auto r = ts::test::runTokenscope(QStringList{"eval", "--images", m_folder} + m_model
                                           + QStringList{"--method", "tome,pitome", "--r", "0,2,4", "--json", json, "--csv", csv});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonObject o = readJson(json);
    QCOMPARE(o["images"].toInt(), 4);
    const QJsonArray skipped = o["skipped"].toArray();
    QCOMPARE(skipped.size(), 2);
    QStringList skippedFiles;
    for (const auto& s : skipped) {
        skippedFiles << s.toObject()["file"].toString();
        QVERIFY(!s.toObject()["reason"].toString().isEmpty());
    }
    QCOMPARE(skippedFiles, (QStringList{"notes.txt", "broken.png"}));
    QCOMPARE(o["labels"].toObject()["from"].toString(), QString("class folders"));
    QCOMPARE(o["labels"].toObject()["labelled"].toInt(), 4);
    const QJsonArray rows = o["rows"].toArray();
    QCOMPARE(rows.size(), 6);
    const QStringList keys{"method", "r", "gflops", "schedule", "images_per_second", "top1_agreement", "mean_cosine", "mean_kl", "top1", "top5"};
    for (int i = 0; i < rows.size(); ++i) {
        const QJsonObject row = rows[i].toObject();
        for (const QString& k : keys)
            QVERIFY2(row.contains(k), qPrintable(k));
        QVERIFY(!row.contains("gflops_target"));
        QCOMPARE(row["method"].toString(), QString(i < 3 ? "tome" : "pitome"));
        QCOMPARE(row["r"].toInt(), 2 * (i % 3));
        QVERIFY(row["images_per_second"].toDouble() > 0);
        QVERIFY(row["top1"].toDouble() >= 0 && row["top5"].toDouble() >= row["top1"].toDouble());
    }
    QCOMPARE(rows[0].toObject()["top1_agreement"].toDouble(), 1.0);
    QVERIFY(rows[2].toObject()["gflops"].toDouble() < rows[1].toObject()["gflops"].toDouble());
    QFile table(csv);
    QVERIFY(table.open(QIODevice::ReadOnly));
    const QStringList lines = QString::fromUtf8(table.readAll()).trimmed().split('\n');
    QCOMPARE(lines.size(), 7);
    QCOMPARE(lines[0], QString("method,r,gflops,images_per_second,top1_agreement,mean_cosine,mean_kl,top1,top5"));
    QVERIFY(QFile::exists(json + ".progress.jsonl"));
}

void TestCliEval::gflopsTargetsAndPlot()
{
    const QString json = m_dir.filePath("budget.json"), plot = m_dir.filePath("budget.png");
    const auto first = ts::test::runTokenscope(QStringList{"eval", "--images", m_folder} + m_model
                                               + QStringList{"--method", "tome,evit", "--r", "0", "--json", json});
    QVERIFY2(first.code == 0, qPrintable(first.err));
    const double plain = readJson(json)["reference"].toObject()["gflops"].toDouble();
    const QString targets = QString::number(0.8 * plain, 'g', 6) + "," + QString::number(0.6 * plain, 'g', 6);
    const auto r = ts::test::runTokenscope(QStringList{"eval", "--images", m_folder} + m_model
                                           + QStringList{"--method", "tome,evit", "--gflops", targets, "--json", json, "--out", plot});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonArray rows = readJson(json)["rows"].toArray();
    QCOMPARE(rows.size(), 4);
    for (const auto& v : rows) {
        const QJsonObject row = v.toObject();
        QVERIFY(row.contains("gflops_target") && !row.contains("r"));
        QVERIFY2(std::abs(row["gflops"].toDouble() - row["gflops_target"].toDouble()) <= 0.02 * row["gflops_target"].toDouble(),
                 qPrintable(QJsonDocument(row).toJson()));
    }
    const QImage image(plot);
    QCOMPARE(image.size(), QSize(960, 440));
    QVERIFY2(image.text("tokenscope:command").contains("--method tome,evit --gflops"), qPrintable(image.text("tokenscope:command")));
    QVERIFY(QFile::exists(plot + ".recipe.json"));
}

void TestCliEval::badInputExitsWithOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("messagePart");
    const QString json = QDir::tempPath() + "/tokenscope_eval_test.json";
    const QString dir = QDir::tempPath();
    QTest::newRow("no output") << QStringList{"eval", "--images", dir, "--method", "tome", "--r", "0"} << "give --json";
    QTest::newRow("no setting") << QStringList{"eval", "--images", dir, "--method", "tome", "--json", json} << "one of --r";
    QTest::newRow("both settings") << QStringList{"eval", "--images", dir, "--method", "tome", "--r", "1", "--gflops", "1", "--json", json}
                                   << "one of --r";
    QTest::newRow("unknown method") << QStringList{"eval", "--images", dir, "--method", "tome,tofu", "--r", "0", "--json", json}
                                    << "unknown method";
    QTest::newRow("negative r") << QStringList{"eval", "--images", dir, "--method", "tome", "--r", "-1", "--json", json} << "--r";
    QTest::newRow("bad gflops") << QStringList{"eval", "--images", dir, "--method", "tome", "--gflops", "0,x", "--json", json} << "--gflops";
    QTest::newRow("no folder") << QStringList{"eval", "--images", "/no/such/folder", "--method", "tome", "--r", "0", "--json", json}
                               << "is not a folder";
    QTest::newRow("unwritable json") << QStringList{"eval", "--images", dir, "--method", "tome", "--r", "0", "--json", "/no/such/dir/e.json"}
                                     << "cannot write";
}

void TestCliEval::badInputExitsWithOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, messagePart);
    const auto r = ts::test::runTokenscope(args);
    QCOMPARE(r.code, 1);
    const QString ours = ts::test::commandErrorLines(r, "eval");
    QCOMPARE(ours.count('\n'), 1);
    QVERIFY2(ours.contains(messagePart), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCliEval)
#include "tst_cli_eval.moc"
