// The session reader (ui/session.h) on hostile input, without a window: every input the fuzzer
// (tests/fuzz/fuzz_session.cpp) found to break a promise, stored under tests/data/fuzz/session/,
// plus hand-made ones. Each must end in a one-line ts::Error or a session that writes and reads
// back unchanged.
#include "core/util/error.h"
#include "ui/shell/session.h"
#include "tests/common/test_paths.h"

#include <QDir>
#include <QFile>
#include <QtTest>

using namespace ts;

class TestSessionReader : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void hostile_data();
    void hostile();
};

void TestSessionReader::hostile_data()
{
    QTest::addColumn<QByteArray>("bytes");
    QTest::addColumn<bool>("valid");
    const QDir stored(QDir(test::sourceDir()).filePath("tests/data/fuzz/session"));
    for (const QString& name : stored.entryList(QDir::Files, QDir::Name)) {
        QFile f(stored.filePath(name));
        QVERIFY(f.open(QIODevice::ReadOnly));
        QTest::newRow(qPrintable("stored/" + name)) << f.readAll() << false;
    }
    const QByteArray ok = R"({"tokenscope_session":1,"image":"x.png","model":{"preset":"vit-s16","image_size":224,"seed":"0"},)"
                          R"("normalisation":{"mean":[0,0,0],"std":[1,1,1]}})";
    QTest::newRow("valid") << ok << true;
    QTest::newRow("newline in unknown preset") << QByteArray(ok).replace("vit-s16", "vit\nz16") << false;
    QTest::newRow("paragraph separator in image")
        << QByteArray(ok).replace("x.png", "a\xe2\x80\xa9.png") << true; // a path may hold any character
    QTest::newRow("empty") << QByteArray() << false;
    QTest::newRow("array") << QByteArray("[1,2,3]") << false;
    QTest::newRow("deep nesting") << QByteArray(100000, '[') << false;
    QTest::newRow("huge size") << QByteArray(ok).replace("224", "1e300") << false;
    QTest::newRow("negative seed") << QByteArray(ok).replace(R"("seed":"0")", R"("seed":"-1")") << false;
    QTest::newRow("seed overflow") << QByteArray(ok).replace(R"("seed":"0")", R"("seed":"18446744073709551616")") << false;
    QTest::newRow("seed as number") << QByteArray(ok).replace(R"("seed":"0")", R"("seed":0)") << false;
    QTest::newRow("std underflows float") << QByteArray(ok).replace("\"std\":[1,1,1]", "\"std\":[1e-50,1,1]") << false;
    QTest::newRow("mean overflows float") << QByteArray(ok).replace("\"mean\":[0,0,0]", "\"mean\":[0,-1e39,0]") << false;
    QTest::newRow("version 2") << QByteArray(ok).replace("\"tokenscope_session\":1", "\"tokenscope_session\":2") << true;
    QTest::newRow("version 3 (newer)") << QByteArray(ok).replace("\"tokenscope_session\":1", "\"tokenscope_session\":3") << false;
    QTest::newRow("version 0") << QByteArray(ok).replace("\"tokenscope_session\":1", "\"tokenscope_session\":0") << false;
    QTest::newRow("panels not an object") << QByteArray(ok).chopped(1) + R"(,"panels":[1]})" << true;
    // Qt's reader lets a raw NUL into a string; such a path is reported as missing when opened.
    QTest::newRow("NUL in image") << QByteArray(ok).replace("x.png", QByteArray("x\0.png", 6)) << true;
}

void TestSessionReader::hostile()
{
    QFETCH(QByteArray, bytes);
    QFETCH(bool, valid);
    try {
        const Session s = sessionFromJson(bytes, "hostile.tokenscope");
        QVERIFY2(valid, "accepted");
        const Session again = sessionFromJson(sessionToJson(s), "again.tokenscope");
        QCOMPARE(again.imagePath, s.imagePath);
        QCOMPARE(again.model.preset, s.model.preset);
        QCOMPARE(again.model.imageSize, s.model.imageSize);
        QCOMPARE(again.model.seed, s.model.seed);
        QCOMPARE(again.panels, s.panels);
    } catch (const Error& e) {
        QVERIFY2(!valid, e.what());
        const QString message = e.what();
        QVERIFY2(message.startsWith("session 'hostile.tokenscope': "), e.what());
        for (const QChar c : message)
            QVERIFY2(c.category() != QChar::Other_Control && c.category() != QChar::Separator_Line
                         && c.category() != QChar::Separator_Paragraph,
                     e.what());
    }
}

QTEST_GUILESS_MAIN(TestSessionReader)
#include "tst_session_reader.moc"
