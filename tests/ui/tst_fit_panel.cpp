// The FIT lab through the real window: switch to FIT, run on a sample, click a group, and check
// that its overlay appears (and that a block change replays recorded weights without a new run).
#include "core/fit/fit_api.h"
#include "ui/figures/fit_overlay_figure.h"
#include "ui/labs/fit/fit_panel.h"
#include "ui/labs/fit/fit_view.h"
#include "ui/jobs/job_runner.h"
#include "ui/shell/main_window.h"
#include "ui/shell/workspace.h"
#include "tests/common/test_paths.h"

#include <QComboBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QtTest>

using namespace ts;

class TestFitPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void runsAndShowsTimeAndMemory();
    void clickingAGroupShowsItsOverlay();
    void blockAndLatentReplayWithoutRunning();
    void badPatternIsReportedNotRun();
    void cleanupTestCase();

private:
    MainWindow* m_window = nullptr;
    FitPanel* m_panel = nullptr;
};

void TestFitPanel::initTestCase()
{
    QCoreApplication::setOrganizationName("TokenScopeTests");
    m_window = new MainWindow;
    m_window->resize(1300, 800);
    m_window->show();
    m_panel = m_window->findChild<FitPanel*>();
    QVERIFY(m_panel);
    auto* tabs = m_window->findChild<QTabWidget*>();
    QVERIFY(tabs);
    tabs->setCurrentWidget(m_panel);
    QVERIFY(m_window->openImage(test::sampleImage("chelsea.png")));
    // A small run: 224 px = 14 x 14 patches, g = 4 -> padded to 16 x 16, 16 groups.
    m_panel->sizeSpin()->setValue(224);
    m_panel->patternEdit()->setText("L(1)G(1)L(1)G(1)");
    m_panel->runNow();
}

void TestFitPanel::runsAndShowsTimeAndMemory()
{
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->result() && m_panel->result()->grouping.gridRows() == 14, 60000);
    const FitResult& r = *m_panel->result();
    QCOMPARE(r.groups(), 16);
    QVERIFY(r.grouping.padded());
    QVERIFY(r.peakMemoryBytes > 0);
    QVERIFY(m_panel->view()->hasOverlay());
    QVERIFY(m_panel->infoLabel()->text().contains("Peak memory"));
    QVERIFY(m_panel->infoLabel()->text().contains("padded to 16 × 16"));
    QCOMPARE(m_panel->blockSpin()->maximum(), 2);
    QCOMPARE(m_panel->latentBox()->count(), 1 + r.latentsPerGroup());
}

void TestFitPanel::clickingAGroupShowsItsOverlay()
{
    FitView* view = m_panel->view();
    const Grouping& g = m_panel->result()->grouping;
    // Click the centre of group 6 (row 1, column 2 of the 4 x 4 groups; the centre group 5 is shown first).
    QCOMPARE(view->overlay()->group, 5);
    const QRectF left = view->panelRect(0);
    const QPointF point(left.left() + left.width() * (8 + 2) / g.gridCols(), left.top() + left.height() * (4 + 2) / g.gridRows());
    QCOMPARE(view->groupAt(point), 6);
    const std::vector<float> before = view->overlay()->read;
    QTest::mouseClick(view, Qt::LeftButton, {}, point.toPoint());
    QCOMPARE(m_panel->selectedGroup(), 6);
    QVERIFY(view->hasOverlay());
    QCOMPARE(view->overlay()->group, 6);
    QCOMPARE(view->overlay()->read, fitReadHeatmap(*m_panel->result(), view->overlay()->block, 6));
    QCOMPARE(view->overlay()->read.size(), std::size_t(16)); // a full 4 x 4 window
    QCOMPARE(view->overlay()->global.size(), std::size_t(16));
    QVERIFY(view->overlay()->read != before);
    QVERIFY(view->overlay()->caption.contains("group 6"));
    // The corner group is clipped by the padding: 2 x 2 real patches.
    const QPointF corner(left.right() - 2, left.bottom() - 2);
    QTest::mouseClick(view, Qt::LeftButton, {}, corner.toPoint());
    QCOMPARE(m_panel->selectedGroup(), 15);
    QCOMPARE(view->overlay()->read.size(), std::size_t(4));
    // The exported figure is the one on screen.
    const std::optional<Figure> figure = m_panel->currentFigure();
    QVERIFY(figure);
    QVERIFY(figure->command.contains("--overlay group:15"));
}

void TestFitPanel::blockAndLatentReplayWithoutRunning()
{
    const quint64 generation = m_panel->runner()->generation();
    m_panel->blockSpin()->setValue(1);
    QCOMPARE(m_panel->view()->overlay()->block, 0);
    m_panel->latentBox()->setCurrentIndex(2); // latent 1
    QCOMPARE(m_panel->view()->overlay()->latent, 1);
    QCOMPARE(m_panel->view()->overlay()->read, fitReadHeatmap(*m_panel->result(), 0, 15, 1));
    QCOMPARE(m_panel->runner()->generation(), generation);
    QVERIFY(!m_panel->runner()->isRunning());
}

void TestFitPanel::badPatternIsReportedNotRun()
{
    const quint64 generation = m_panel->runner()->generation();
    m_panel->patternEdit()->setText("L(2)X");
    m_panel->runNow();
    QCOMPARE(m_panel->runner()->generation(), generation);
    auto labels = m_panel->findChildren<QLabel*>();
    bool reported = false;
    for (QLabel* label : labels)
        reported = reported || label->text().contains("column 5");
    QVERIFY(reported);
}

void TestFitPanel::cleanupTestCase() { delete m_window; }

QTEST_MAIN(TestFitPanel)
#include "tst_fit_panel.moc"
