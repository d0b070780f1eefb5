// The window stays responsive while models run: in the real main window, the longest time the
// event loop goes without running stays under 100 ms during a FIT run and a FLOP measurement
// (from the click to the figure drawn), so typing, resizing and cancel keep working.
#include "core/fit/fit_api.h"
#include "ui/labs/fit/fit_panel.h"
#include "ui/labs/flops/flop_panel.h"
#include "ui/jobs/job_runner.h"
#include "ui/widgets/lab_panel.h"
#include "ui/shell/main_window.h"
#include "tests/common/stall_probe.h"

#include <QComboBox>
#include <QLineEdit>
#include <QListWidget>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QThread>
#include <QtTest>

using namespace ts;

namespace {

constexpr double kMaxStallMs = 100;

// What the probe saw, for the log and the failure message.
QString describe(const test::StallProbe& probe, double runSeconds)
{
    return QString("longest event-loop stall %1 ms (%2 ms after the click; %3 ticks of %4 ms over a %5 s run)")
        .arg(probe.longestGapMs(), 0, 'f', 1)
        .arg(probe.longestGapAtMs(), 0, 'f', 0)
        .arg(probe.ticks())
        .arg(probe.intervalMs())
        .arg(runSeconds, 0, 'f', 2);
}

} // namespace

class TestResponsiveness : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void probeSeesABlockedLoop();
    void fitRunStaysResponsive();
    void flopMeasurementStaysResponsive();
    void cleanupTestCase();

private:
    void waitUntilIdle();
    MainWindow* m_window = nullptr;
};

void TestResponsiveness::initTestCase()
{
    QCoreApplication::setOrganizationName("TokenScopeTests");
    m_window = new MainWindow;
    m_window->resize(1400, 820);
    m_window->show();
    QVERIFY(QTest::qWaitForWindowExposed(m_window));
    waitUntilIdle(); // the labs' first runs
}

// Every lab's runner idle (the model thread is shared: a run measured alone is the one clicked).
void TestResponsiveness::waitUntilIdle()
{
    QTest::qWait(400); // past the panels' debounce timers
    const auto runners = m_window->findChildren<JobRunner*>();
    QVERIFY(!runners.isEmpty());
    for (JobRunner* runner : runners)
        QTRY_VERIFY_WITH_TIMEOUT(!runner->isRunning(), 180000);
}

void TestResponsiveness::probeSeesABlockedLoop()
{
    // The probe itself: a quiet loop shows gaps near the interval, a slot that blocks for
    // 150 ms shows a gap at least that long.
    test::StallProbe probe;
    probe.start();
    QTest::qWait(300);
    probe.stop();
    QVERIFY2(probe.longestGapMs() < 50, qPrintable(describe(probe, 0.3)));
    QVERIFY(probe.ticks() > 10);

    probe.start();
    QTimer::singleShot(100, [] { QThread::msleep(150); });
    QTest::qWait(400);
    probe.stop();
    QVERIFY2(probe.longestGapMs() >= 150, qPrintable(describe(probe, 0.4)));
    QVERIFY(probe.longestGapAtMs() >= 250);
}

void TestResponsiveness::fitRunStaysResponsive()
{
    auto* panel = m_window->findChild<FitPanel*>();
    QVERIFY(panel);
    m_window->tabs()->setCurrentWidget(panel);
    // 1536 px: 96 x 96 patches in 576 groups of 4 x 4, two FIT blocks of three local layers;
    // about 2 s on this machine (long enough for a stall to show).
    panel->patternEdit()->setText("L(3)G(1)L(3)G(1)");
    panel->sizeSpin()->setValue(1536);
    QTest::qWait(50);

    QSignalSpy finished(panel->runner(), &JobRunner::finished);
    test::StallProbe probe;
    probe.start();
    panel->runNow();
    QVERIFY(finished.wait(180000));
    QTest::qWait(300); // the figure is drawn after the result arrives
    probe.stop();
    const JobOutcome outcome = finished.front().front().value<JobOutcome>();
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QCOMPARE(panel->result()->grouping.groups(), 576);
    QVERIFY(panel->currentFigure());
    qInfo("FIT: %s", qPrintable(describe(probe, outcome.seconds)));
    QVERIFY2(outcome.seconds >= 1.0, "the run was too short to show anything");
    QVERIFY2(probe.longestGapMs() < kMaxStallMs, qPrintable(describe(probe, outcome.seconds)));
}

void TestResponsiveness::flopMeasurementStaysResponsive()
{
    waitUntilIdle();
    auto* panel = m_window->findChild<FlopPanel*>();
    QVERIFY(panel);
    m_window->tabs()->setCurrentWidget(panel);
    QListWidget* list = panel->presetList();
    for (int i = 0; i < list->count(); ++i)
        list->item(i)->setCheckState(list->item(i)->text() == "vit-s16" ? Qt::Checked : Qt::Unchecked);
    // Up to 2048 tokens: 1 s stopped at 1024 once the attention was fused; about 3 s now.
    panel->lengthsEdit()->setText("256:2048:x2");
    panel->measureLimitBox()->setCurrentIndex(panel->measureLimitBox()->findData(0LL)); // every length
    QTest::qWait(50);

    QSignalSpy finished(panel->runner(), &JobRunner::finished);
    test::StallProbe probe;
    probe.start();
    QTest::mouseClick(panel->measureButton(), Qt::LeftButton);
    QVERIFY(finished.wait(180000));
    QTest::qWait(300); // the charts are rebuilt after the result arrives
    probe.stop();
    const JobOutcome outcome = finished.front().front().value<JobOutcome>();
    QVERIFY2(outcome.error.isEmpty(), qPrintable(outcome.error));
    QVERIFY(panel->measureButton()->isEnabled());
    qInfo("FLOP measurement: %s", qPrintable(describe(probe, outcome.seconds)));
    QVERIFY2(outcome.seconds >= 1.0, "the measurement was too short to show anything");
    QVERIFY2(probe.longestGapMs() < kMaxStallMs, qPrintable(describe(probe, outcome.seconds)));
}

void TestResponsiveness::cleanupTestCase() { delete m_window; }

QTEST_MAIN(TestResponsiveness)
#include "tst_responsiveness.moc"
