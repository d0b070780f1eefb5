// `tokenscope attention` as a user runs it: the figure as PNG, SVG or PDF with its recipe, the JSON
// (rows that sum to one, the rollout when asked) and one-line refusals.
#include "tests/common/cli_runner.h"
#include "tests/common/test_paths.h"

#include <QImage>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>
#include <QTemporaryDir>
#include <QXmlStreamReader>
#include <QtTest>

namespace {

// The class token's row in the JSON: its weight on the patches plus on the prefix tokens.
double classRowTotal(const QJsonObject& o)
{
    double sum = 0;
    for (const auto& v : o["class_to_patches"].toArray())
        sum += v.toDouble();
    for (const auto& v : o["prefix_to_prefix"].toArray()[0].toArray())
        sum += v.toDouble();
    return sum;
}

} // namespace

class TestCliAttention : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void writesMapAndJson();
    void writesSvgAndPdf();
    void followsTheMethod();
    void refused_data();
    void refused();

private:
    QTemporaryDir m_dir;
};

void TestCliAttention::writesMapAndJson()
{
    const QString map = m_dir.filePath("att.png"), json = m_dir.filePath("att.json");
    const auto r = ts::test::runTokenscope({"attention", "--image", ts::test::sampleImage("coffee.png"), "--preset", "vit-ti16",
                                            "--r", "8", "--block", "6", "--mean", "--rollout", "--out", map, "--json", json});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    const QImage image(map);
    QVERIFY(image.width() > 2 * 224); // the input, the map, the colour bar
    QVERIFY(image.text("tokenscope:command").startsWith("tokenscope attention --image "));
    QVERIFY(QFile::exists(map + ".recipe.json"));
    QFile f(json);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    QCOMPARE(o["block"].toInt(), 6);
    QCOMPARE(o["head"].toString(), QString("mean"));
    QVERIFY(o["merged"].toBool());
    QCOMPARE(o["tokens"].toInt(), 197 - 5 * 8);
    QVERIFY(std::abs(classRowTotal(o) - 1.0) < 1e-4);
    QCOMPARE(o["class_to_patches"].toArray().size(), 196);
    QCOMPARE(o["rollout"].toArray().size(), 196);
}

void TestCliAttention::writesSvgAndPdf()
{
    for (const QString name : {"att.svg", "att.pdf"}) {
        const QString path = m_dir.filePath(name);
        const auto r = ts::test::runTokenscope({"attention", "--image", ts::test::sampleImage("coffee.png"), "--preset", "vit-ti16",
                                                "--schedule", "4,4,2", "--block", "3", "--head", "2", "--out", path});
        QVERIFY2(r.code == 0, qPrintable(r.err));
        QFile f(path);
        QVERIFY(f.open(QIODevice::ReadOnly));
        const QByteArray bytes = f.readAll();
        if (name.endsWith(".pdf")) {
            QVERIFY(bytes.startsWith("%PDF-") && bytes.trimmed().endsWith("%%EOF"));
            continue;
        }
        QXmlStreamReader xml(bytes);
        bool svgRoot = false;
        while (!xml.atEnd()) {
            xml.readNext();
            if (xml.isStartElement() && !svgRoot)
                svgRoot = xml.name() == QLatin1String("svg");
        }
        QVERIFY2(!xml.hasError(), qPrintable(xml.errorString()));
        QVERIFY(svgRoot);
        QVERIFY(bytes.contains("tokenscope attention") && bytes.contains("--schedule 4,4,2"));
    }
}

// The attention view follows the lab's method: EViT at a keep rate keeps the tokens its rate gives,
// and the recipe names the method.
void TestCliAttention::followsTheMethod()
{
    const QString map = m_dir.filePath("evit.png"), json = m_dir.filePath("evit.json");
    const auto r = ts::test::runTokenscope({"attention", "--image", ts::test::sampleImage("coffee.png"), "--preset", "vit-ti16",
                                            "--method", "evit", "--keep-rate", "0.5", "--layers", "2", "--block", "3",
                                            "--mean", "--out", map, "--json", json});
    QVERIFY2(r.code == 0, qPrintable(r.err));
    QVERIFY(QImage(map).text("tokenscope:command").contains("--method evit"));
    QFile f(json);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject o = QJsonDocument::fromJson(f.readAll()).object();
    QVERIFY(o["merged"].toBool());
    QCOMPARE(o["tokens"].toInt(), 1 + 98 + 1); // class token, ceil(0.5 x 196) kept, the fused token
    QVERIFY(std::abs(classRowTotal(o) - 1.0) < 1e-4);
}

void TestCliAttention::refused_data()
{
    QTest::addColumn<QStringList>("args");
    QTest::addColumn<QString>("messagePart");
    const QString img = ts::test::sampleImage("chelsea.png");
    const QString out = QDir::tempPath() + "/tokenscope_cli_attention.png";
    QTest::newRow("head and mean") << QStringList{"attention", "--image", img, "--block", "1", "--head", "0", "--mean", "--out", out}
                                   << "either --head H or --mean";
    QTest::newRow("block past the end") << QStringList{"attention", "--image", img, "--preset", "vit-ti16", "--block", "13", "--out", out}
                                        << "block 13 is outside 1..12";
    QTest::newRow("head past the end") << QStringList{"attention", "--image", img, "--preset", "vit-ti16", "--block", "1", "--head", "3",
                                                      "--out", out}
                                       << "head 3 is outside 0..2";
    QTest::newRow("not a figure format") << QStringList{"attention", "--image", img, "--block", "1", "--out", "map.txt"}
                                         << "unknown figure format";
    QTest::newRow("colour range") << QStringList{"attention", "--image", img, "--block", "1", "--colour-range", "log", "--out", out}
                                  << "--colour-range must be data or from-zero";
    QTest::newRow("image normalisation is --norm-mean") << QStringList{"attention", "--image", img, "--block", "1", "--norm-mean",
                                                                       "0.5,0.5", "--out", out}
                                                        << "--norm-mean needs three comma-separated numbers";
    QTest::newRow("no block") << QStringList{"attention", "--image", img, "--out", out} << "--block";
}

void TestCliAttention::refused()
{
    QFETCH(QStringList, args);
    QFETCH(QString, messagePart);
    const auto r = ts::test::runTokenscope(args);
    QCOMPARE(r.code, 1);
    const QString ours = ts::test::commandErrorLines(r, "attention");
    QCOMPARE(ours.count('\n'), 1);
    QVERIFY2(ours.contains(messagePart), qPrintable(r.err));
}

QTEST_GUILESS_MAIN(TestCliAttention)
#include "tst_cli_attention.moc"
