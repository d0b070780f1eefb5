// `tokenscope compare` as a user runs it: every method at one budget in the JSON the issue
// names, and one-line refusals before any work.
#include "tests/common/cli_runner.h"
#include "tests/common/recipe_rerun.h"
#include "tests/common/test_paths.h"

#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QtTest>

class TestCliCompare : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void everyMethodAtOneBudget();
    void figureRedrawsFromItsCommand();
    void benchMethodsAtOneBudget();
    void badInputExitsWithOneLine_data();
    void badInputExitsWithOneLine();

private:
    QTemporaryDir m_dir;
};

void TestCliCompare::everyMethodAtOneBudget()
{
    const QString json = m_dir.filePath("compare.json");
    const auto r = ts::test::runTokenscope({"compare", "--image", ts::test::sampleImage("chelsea.png"), "--preset", "vit-ti16",
                                            "--seed", "3", "--methods", "tome,pitome,atc,evit", "--fraction", "0.7", "--linkage",
                                            "complete", "--json", json});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QFile f(json);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    const double target = o["gflops_target"].toDouble(), plain = o["gflops_plain"].toDouble();
    QVERIFY(std::abs(target - 0.7 * plain) < 1e-9 * plain);
    const QJsonObject methods = o["methods"].toObject();
    QCOMPARE(methods.keys(), (QStringList{"atc", "evit", "pitome", "tome"}));
    for (const QString& name : methods.keys()) {
        const QJsonObject m = methods[name].toObject();
        QVERIFY2(std::abs(m["gflops"].toDouble() - target) <= 0.01 * target, qPrintable(name));
        QCOMPARE(m["gflops_measured"].toDouble(), m["gflops"].toDouble());
        QCOMPARE(m["schedule"].toArray().size(), 12);
        QCOMPARE(m["tokens_per_layer"].toArray().size(), 12);
        QVERIFY(m["seconds"].toDouble() > 0);
        const QJsonObject a = m["agreement"].toObject();
        QVERIFY(a["cosine"].toDouble() > 0 && a["cosine"].toDouble() < 1);
        QVERIFY(a["kl"].toDouble() > 0);
        QVERIFY(a["top1_same"].isBool());
    }
    QVERIFY(methods["atc"].toObject()["schedule_text"].toString().contains("complete linkage"));
}

void TestCliCompare::figureRedrawsFromItsCommand()
{
    const QString figure = m_dir.filePath("compare.png");
    const auto r = ts::test::runTokenscope({"compare", "--image", ts::test::sampleImage("coffee.png"), "--preset", "vit-ti16",
                                            "--seed", "4", "--methods", "tome,atc,evit", "--fraction", "0.6", "--out", figure});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const ts::test::Rerun again = ts::test::rerunEmbeddedCommand(figure);
    QVERIFY2(again.error.isEmpty(), qPrintable(again.error));
    QVERIFY2(again.command.contains("--methods tome,atc,evit --fraction 0.6 --out compare.png"), qPrintable(again.command));
    QVERIFY2(!again.before.isNull() && again.after == again.before, qPrintable(again.command));
    QVERIFY(QFile::exists(figure + ".recipe.json"));
}

void TestCliCompare::benchMethodsAtOneBudget()
{
    const auto r = ts::test::runTokenscope({"bench", "methods", "--preset", "vit-ti16", "--repeats", "1", "--json"});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QJsonObject o = QJsonDocument::fromJson(r.out.toUtf8()).object();
    const QJsonArray runs = o["runs"].toArray();
    QCOMPARE(runs.size(), 4);
    for (const auto& v : runs) {
        const QJsonObject row = v.toObject();
        QVERIFY(std::abs(row["gflops"].toDouble() - o["gflops_target"].toDouble()) <= 0.01 * o["gflops_target"].toDouble());
        QVERIFY(row["selection_share"].toDouble() > 0 && row["selection_share"].toDouble() < 1);
        QVERIFY(row["forward_seconds"].toDouble() > 0);
    }
}

void TestCliCompare::badInputExitsWithOneLine_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("messagePart");
    const QString img = ts::test::sampleImage("chelsea.png");
    const QString json = QDir::tempPath() + "/tokenscope_compare_test.json";
    QTest::newRow("no output") << QStringList{"compare", "--image", img, "--methods", "tome", "--gflops", "1"} << "give --json";
    QTest::newRow("unknown figure format") << QStringList{"compare", "--image", img, "--methods", "tome", "--gflops", "1", "--out", "f.gif"}
                                           << "unknown figure format";
    QTest::newRow("both budgets") << QStringList{"compare", "--image", img, "--methods", "tome", "--gflops", "1", "--fraction", "0.5", "--json", json}
                                  << "one of --gflops";
    QTest::newRow("no budget") << QStringList{"compare", "--image", img, "--methods", "tome", "--json", json} << "one of --gflops";
    QTest::newRow("fraction above 1") << QStringList{"compare", "--image", img, "--methods", "tome", "--fraction", "1.5", "--json", json}
                                      << "--fraction";
    QTest::newRow("unknown method") << QStringList{"compare", "--image", img, "--methods", "tome,tofu", "--gflops", "1", "--json", json}
                                    << "unknown method";
    QTest::newRow("method twice") << QStringList{"compare", "--image", img, "--methods", "atc,atc", "--gflops", "1", "--json", json}
                                  << "named twice";
    QTest::newRow("unknown linkage") << QStringList{"compare", "--image", img, "--methods", "atc", "--linkage", "ward", "--gflops", "1", "--json", json}
                                     << "unknown linkage";
    QTest::newRow("unwritable json") << QStringList{"compare", "--image", img, "--methods", "tome", "--gflops", "1", "--json", "/no/such/dir/c.json"}
                                     << "cannot write";
}

void TestCliCompare::badInputExitsWithOneLine()
{
    QFETCH(QStringList, args);
    QFETCH(QString, messagePart);
    const auto r = ts::test::runTokenscope(args);
    QCOMPARE(r.code, 1);
    const QString ours = ts::test::commandErrorLines(r, "compare");
    QCOMPARE(ours.count('\n'), 1);
    QVERIFY2(ours.contains(messagePart), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCliCompare)
#include "tst_cli_compare.moc"
