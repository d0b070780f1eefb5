// Session files through the real window: save, reopen in a new window, same figure; moved files
// and malformed sessions are reported, nothing lost.
#include "core/flops/flop_presets.h"
#include "core/settings/settings_json.h"
#include "core/tome/tome_api.h"
#include "ui/labs/fam/fam_panel.h"
#include "ui/figures/figure_export.h"
#include "ui/labs/fit/fit_panel.h"
#include "ui/labs/flops/flop_panel.h"
#include "ui/jobs/job_runner.h"
#include "ui/labs/masks/mask_panel.h"
#include "ui/widgets/run_status.h"
#include "ui/shell/main_window.h"
#include "ui/labs/tome/merge_view.h"
#include "ui/widgets/model_controls.h"
#include "ui/shell/session.h"
#include "ui/labs/tome/tome_panel.h"
#include "ui/shell/workspace.h"
#include "tests/common/every_lab.h"
#include "tests/common/test_paths.h"

#include <QFile>
#include <QLabel>
#include <QJsonArray>
#include <QJsonDocument>
#include <QListWidget>
#include <QSignalSpy>
#include <QSlider>
#include <QTabWidget>
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
    void everyLabRoundTrips();
    void olderSessionOpensWithWhatItCan();
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
        savedMap = panel->view()->data().map;
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
    QCOMPARE(panel->view()->data().map, savedMap);
}

namespace {

// Waits until a model panel has a result for its current settings and no run is pending.
template <class Panel>
bool settled(Panel* panel)
{
    QTest::qWait(400); // past every panel's debounce
    return QTest::qWaitFor([&] { return panel->result() && !panel->runner()->isRunning(); }, 120000);
}

QImage pixels(const LabPanel* panel)
{
    const std::optional<Figure> f = panel->currentFigure();
    return f ? renderFigure(*f).convertToFormat(QImage::Format_RGB32) : QImage();
}

QByteArray dump(const nlohmann::json& j) { return QByteArray::fromStdString(j.dump()); }

} // namespace

// Every lab's settings and figure come back from a session in a fresh window: ToMe, FIT, FAM,
// masks, FLOPs (a custom model and measured points), Compare, the current tab.
void TestSession::everyLabRoundTrips()
{
    const QString path = m_dir.filePath("all.tokenscope");
    QByteArray tome, fit, fam, mask, flops, compare;
    QImage tomePixels, fitPixels, famPixels, maskPixels, flopPixels, comparePixels;
    FlopReport measured;
    {
        MainWindow w;
        QVERIFY(w.openImage(test::sampleImage("coffee.png")));
        test::setEveryLab(w);
        w.findChild<ComparePanel*>()->runNow(); // the Compare lab runs when shown; this window never is
        auto* flopPanel = w.findChild<FlopPanel*>();
        QSignalSpy measuredSpy(flopPanel->runner(), &JobRunner::finished);
        flopPanel->startMeasure();
        QVERIFY(measuredSpy.wait(120000));
        QVERIFY(settled(w.findChild<ToMePanel*>()));
        QVERIFY(settled(w.findChild<FitPanel*>()));
        QVERIFY(settled(w.findChild<FamPanel*>()));
        QVERIFY(settled(w.findChild<ComparePanel*>()));
        QVERIFY(QString::fromStdString(w.findChild<ToMePanel*>()->result()->scheduleText).contains("inflection")); // the schedule ran
        tome = dump(toJson(w.findChild<ToMePanel*>()->settings()));
        fit = dump(toJson(w.findChild<FitPanel*>()->settings()));
        fam = dump(toJson(w.findChild<FamPanel*>()->settings()));
        mask = dump(toJson(w.findChild<MaskPanel*>()->settings()));
        flops = dump(toJson(flopPanel->settings()));
        compare = dump(toJson(w.findChild<ComparePanel*>()->settings()));
        QVERIFY(flopPanel->settings().measure);
        QVERIFY(w.findChild<MaskPanel*>()->settings().zoomed());
        tomePixels = pixels(w.findChild<ToMePanel*>());
        fitPixels = pixels(w.findChild<FitPanel*>());
        famPixels = pixels(w.findChild<FamPanel*>());
        maskPixels = pixels(w.findChild<MaskPanel*>());
        flopPixels = pixels(flopPanel);
        comparePixels = pixels(w.findChild<ComparePanel*>());
        measured = flopPanel->report();
        QString error;
        QVERIFY2(w.saveSession(path, &error), qPrintable(error));
    }
    MainWindow w;
    QStringList problems;
    QVERIFY(w.openSession(path, &problems));
    QVERIFY2(problems.isEmpty(), qPrintable(problems.join("; ")));
    QCOMPARE(w.tabs()->currentIndex(), 3);
    w.findChild<ComparePanel*>()->runNow(); // as above (the lab's own test shows its tab)
    QVERIFY(settled(w.findChild<ToMePanel*>()));
    QVERIFY(settled(w.findChild<FitPanel*>()));
    QVERIFY(settled(w.findChild<FamPanel*>()));
    QVERIFY(settled(w.findChild<ComparePanel*>()));
    QCOMPARE(dump(toJson(w.findChild<ToMePanel*>()->settings())), tome);
    QCOMPARE(dump(toJson(w.findChild<FitPanel*>()->settings())), fit);
    QCOMPARE(dump(toJson(w.findChild<FamPanel*>()->settings())), fam);
    QCOMPARE(dump(toJson(w.findChild<MaskPanel*>()->settings())), mask);
    QCOMPARE(dump(toJson(w.findChild<FlopPanel*>()->settings())), flops);
    QCOMPARE(dump(toJson(w.findChild<ComparePanel*>()->settings())), compare);
    QVERIFY(pixels(w.findChild<ToMePanel*>()) == tomePixels);
    QVERIFY(pixels(w.findChild<FitPanel*>()) == fitPixels);
    QVERIFY(pixels(w.findChild<FamPanel*>()) == famPixels);
    QVERIFY(pixels(w.findChild<MaskPanel*>()) == maskPixels);
    QVERIFY(pixels(w.findChild<FlopPanel*>()) == flopPixels);
    QVERIFY(pixels(w.findChild<ComparePanel*>()) == comparePixels);
    // The measured points themselves, not only their picture.
    const FlopReport& reopened = w.findChild<FlopPanel*>()->report();
    QCOMPARE(reopened.series.size(), measured.series.size());
    int ran = 0;
    for (std::size_t i = 0; i < measured.series.size(); ++i)
        for (std::size_t k = 0; k < measured.series[i].points.size(); ++k) {
            const FlopMeasurement& a = measured.series[i].points[k].measured;
            const FlopMeasurement& b = reopened.series[i].points[k].measured;
            QCOMPARE(b.status, a.status);
            QCOMPARE(b.seconds, a.seconds);
            ran += a.status == MeasureStatus::Ran;
        }
    QVERIFY(ran >= 2);

    // Lengths that leave measured points out keep them (for the lengths they have), say so, and a
    // session saved meanwhile still holds them.
    auto* flopPanel = w.findChild<FlopPanel*>();
    flopPanel->lengthsEdit()->setText("1024");
    QVERIFY2(flopPanel->runStatus()->messageLabel()->text().contains("more kept"),
             qPrintable(flopPanel->runStatus()->messageLabel()->text()));
    const QString later = m_dir.filePath("later.tokenscope");
    QVERIFY(w.saveSession(later));
    MainWindow w2;
    QVERIFY(w2.openSession(later, &problems));
    auto* panel2 = w2.findChild<FlopPanel*>();
    panel2->lengthsEdit()->setText("64,256,1024");
    int back = 0;
    for (const FlopSeries& series : panel2->report().series)
        for (const FlopPoint& p : series.points)
            back += p.measured.status == MeasureStatus::Ran;
    QCOMPARE(back, ran);
}

// A session of format 1 (ToMe's schedule as a menu index and opacity in percent, FIT and masks
// not saved) opens with what it has and names what it lacks.
void TestSession::olderSessionOpensWithWhatItCan()
{
    const QString path = m_dir.filePath("v1.tokenscope");
    QFile f(path);
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.write(QString(R"({"tokenscope_session": 1, "image": "%1",
        "model": {"preset": "vit-ti16", "image_size": 224, "seed": "4", "checkpoint": ""},
        "normalisation": {"mean": [0.485, 0.456, 0.406], "std": [0.229, 0.224, 0.225]},
        "current_tab": "FAM",
        "panels": {"ToMe": {"r": 5, "schedule": 1, "inflection": 0.5, "list": "3,2,1", "proportional_attention": false,
                            "layer": 4, "opacity": 40, "borders": false, "selected_patch": -1},
                   "FIT": {}, "Masks": {}, "FAM": {"block": 12, "memory": 0, "fam": 2, "with_fam": true, "overlay_block": 1, "layer": 2}}})")
                .arg(test::sampleImage("coffee.png"))
                .toUtf8());
    f.close();
    MainWindow w;
    QStringList problems;
    QVERIFY(w.openSession(path, &problems));
    QCOMPARE(w.tabs()->tabText(w.tabs()->currentIndex()), QString("FAM"));
    const ToMeSettings t = w.findChild<ToMePanel*>()->settings();
    QCOMPARE(t.r, 5);
    QVERIFY(t.schedule == ToMeSettings::Schedule::Inflection);
    QCOMPARE(t.opacity, 0.4);
    QCOMPARE(t.list, (std::vector<int>{3, 2, 1}));
    QCOMPARE(t.borders, false);
    QCOMPARE(w.findChild<FamPanel*>()->settings().block, 12);
    QCOMPARE(w.findChild<FamPanel*>()->settings().memory, 0);
    const QString all = problems.join('\n');
    QVERIFY2(all.contains("FIT: the session holds no settings") && all.contains("Masks: the session holds no settings"), qPrintable(all));
    QVERIFY2(!all.contains("ToMe") && !all.contains("FAM:"), qPrintable(all));
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
    QVERIFY(problems.size() >= 2);
    QVERIFY(problems[0].contains("gone.png"));
    QVERIFY(problems[1].contains("gone.safetensors"));
    for (int i = 2; i < problems.size(); ++i) // the file holds no lab settings: each lab says so
        QVERIFY2(problems[i].contains("holds no settings"), qPrintable(problems[i]));
    QCOMPARE(problems.size(), 2 + w.tabs()->count());
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
