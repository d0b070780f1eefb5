// Session files through the real window: save, reopen in a new window, same figure; moved files
// and malformed sessions are reported, nothing lost.
#include "core/tome/tome_api.h"
#include "ui/jobs/job_runner.h"
#include "ui/main_window.h"
#include "ui/merge_view.h"
#include "ui/model_controls.h"
#include "ui/session.h"
#include "ui/tome_panel.h"
#include "ui/workspace.h"
#include "tests/common/test_paths.h"

#include <QFile>
#include <QSlider>
#include <QSpinBox>
#include <QTemporaryDir>
#include <QElapsedTimer>
#include <QtTest>

#include <sys/stat.h>

using namespace ts;

class TestSession : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase() { QCoreApplication::setOrganizationName("TokenScopeTests"); }
    void roundTripRestoresTheFigure();
    void movedImageAndCheckpointAreReported();
    void malformedSessionsRefused_data();
    void malformedSessionsRefused();
    void notRegularFilesRefused();

private:
    QTemporaryDir m_dir;
};

static ToMePanel* waitForResult(MainWindow& w)
{
    auto* panel = w.findChild<ToMePanel*>();
    if (panel && !QTest::qWaitFor([&] { return panel->result() && panel->view()->hasData() && !panel->runner()->isRunning(); }, 60000))
        return nullptr;
    return panel;
}

void TestSession::roundTripRestoresTheFigure()
{
    const QString path = m_dir.filePath("a.tokenscope");
    QImage savedMap;
    QString savedCounts;
    {
        MainWindow w;
        QVERIFY(w.openImage(test::sampleImage("coffee.png")));
        ModelSource s = w.workspace()->modelSource();
        s.preset = "vit-ti16";
        s.seed = 7;
        w.workspace()->setModelSource(s);
        ToMePanel* panel = w.findChild<ToMePanel*>();
        panel->rSlider()->setValue(12);
        QTest::qWait(300);
        QVERIFY(waitForResult(w));
        QTRY_VERIFY_WITH_TIMEOUT(panel->tokenSummary().endsWith(QString::number(197 - 12 * 12)), 60000);
        panel->layerSlider()->setValue(5);
        savedMap = panel->view()->data().right;
        savedCounts = panel->tokenSummary();
        QString error;
        QVERIFY2(w.saveSession(path, &error), qPrintable(error));
    }
    MainWindow w;
    QStringList problems;
    QVERIFY(w.openSession(path, &problems));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join("; ")));
    QCOMPARE(w.workspace()->imagePath(), test::sampleImage("coffee.png"));
    QCOMPARE(w.workspace()->modelSource().preset, std::string("vit-ti16"));
    QCOMPARE(w.workspace()->modelSource().seed, std::uint64_t(7));
    QCOMPARE(w.findChild<ModelControls*>()->seedBox()->value(), 7);
    ToMePanel* panel = w.findChild<ToMePanel*>();
    QTRY_VERIFY_WITH_TIMEOUT(panel->result() && panel->tokenSummary() == savedCounts, 60000);
    QTRY_COMPARE_WITH_TIMEOUT(panel->layerSlider()->value(), 5, 10000);
    QCOMPARE(panel->view()->data().right, savedMap);
}

void TestSession::movedImageAndCheckpointAreReported()
{
    Session s;
    s.imagePath = m_dir.filePath("gone.png");
    s.model.checkpoint = m_dir.filePath("gone.safetensors").toStdString();
    s.model.seed = 3;
    const QString path = m_dir.filePath("moved.tokenscope");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(sessionToJson(s));
    f.close();
    MainWindow w;
    const QImage before = w.workspace()->image();
    QStringList problems;
    QVERIFY(w.openSession(path, &problems));
    QCOMPARE(problems.size(), 2);
    QVERIFY(problems[0].contains("gone.png"));
    QVERIFY(problems[1].contains("gone.safetensors"));
    QCOMPARE(w.workspace()->image(), before); // the current image is kept
    QVERIFY(w.workspace()->modelSource().isRandom());
    QCOMPARE(w.workspace()->modelSource().seed, std::uint64_t(3));
}

void TestSession::malformedSessionsRefused_data()
{
    QTest::addColumn<QByteArray>("json");
    QTest::addColumn<QString>("messagePart");
    QTest::newRow("not JSON") << QByteArray("{ nope") << "not JSON";
    QTest::newRow("other JSON") << QByteArray(R"({"hello": 1})") << "not a TokenScope session";
    QTest::newRow("bad preset") << QByteArray(R"({"tokenscope_session":1,"image":"x.png","model":{"preset":"vit-z","image_size":224,"seed":"0"},"normalisation":{"mean":[0,0,0],"std":[1,1,1]}})")
                                << "model.preset";
    QTest::newRow("bad size") << QByteArray(R"({"tokenscope_session":1,"image":"x.png","model":{"preset":"vit-s16","image_size":230,"seed":"0"},"normalisation":{"mean":[0,0,0],"std":[1,1,1]}})")
                              << "model.image_size";
    QTest::newRow("zero std") << QByteArray(R"({"tokenscope_session":1,"image":"x.png","model":{"preset":"vit-s16","image_size":224,"seed":"0"},"normalisation":{"mean":[0,0,0],"std":[1,0,1]}})")
                              << "normalisation";
}

void TestSession::malformedSessionsRefused()
{
    QFETCH(QByteArray, json);
    QFETCH(QString, messagePart);
    const QString path = m_dir.filePath("bad.tokenscope");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
    f.write(json);
    f.close();
    MainWindow w;
    const ModelSource before = w.workspace()->modelSource();
    QStringList problems;
    QVERIFY(!w.openSession(path, &problems));
    QCOMPARE(problems.size(), 1);
    QVERIFY2(problems[0].contains(messagePart), qPrintable(problems[0]));
    QVERIFY(problems[0].contains("bad.tokenscope"));
    QVERIFY(w.workspace()->modelSource() == before);
}

// A named pipe or a folder chosen as a session: refused at once (a pipe once blocked the window).
void TestSession::notRegularFilesRefused()
{
    const QString pipe = m_dir.filePath("pipe.tokenscope");
    QCOMPARE(::mkfifo(pipe.toLocal8Bit().constData(), 0600), 0);
    MainWindow w;
    for (const auto& [path, message] : {std::pair<QString, QString>{pipe, "is a named pipe, not a regular file"},
                                        std::pair<QString, QString>{m_dir.path(), "is a folder, not a file"}}) {
        QStringList problems;
        QElapsedTimer timer;
        timer.start();
        QVERIFY(!w.openSession(path, &problems));
        QVERIFY(timer.elapsed() < 5000);
        QCOMPARE(problems.size(), 1);
        QVERIFY2(problems[0].contains(message), qPrintable(problems[0]));
    }
}

QTEST_MAIN(TestSession)
#include "tst_session.moc"
