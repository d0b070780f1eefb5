// The ToMe lab through the real window: load a sample, move r and the layer slider, click a region.
#include "core/tome/tome_api.h"
#include "ui/jobs/job_runner.h"
#include "ui/shell/main_window.h"
#include "ui/labs/tome/merge_view.h"
#include "ui/labs/tome/tome_panel.h"
#include "ui/shell/workspace.h"
#include "tests/common/test_paths.h"

#include <QProcess>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QSlider>
#include <QTabWidget>
#include <QtTest>

using namespace ts;

class TestTomePanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void slidersChangeMapAndCounts();
    void commandLineFigureMatchesWindow();
    void clickShowsLineage();
    void badImageKeepsPrevious();
    void cleanupTestCase();

private:
    MainWindow* m_window = nullptr;
    ToMePanel* m_panel = nullptr;
};

void TestTomePanel::initTestCase()
{
    QCoreApplication::setOrganizationName("TokenScopeTests");
    m_window = new MainWindow;
    m_window->resize(1300, 800);
    m_window->show();
    m_panel = m_window->findChild<ToMePanel*>();
    QVERIFY(m_panel);
    // The app opens on its bundled photograph.
    QCOMPARE(m_window->workspace()->imagePath(), Workspace::defaultImagePath());
    QCOMPARE(m_window->workspace()->image().size(), QSize(512, 512));
    QVERIFY(m_window->openImage(test::sampleImage("chelsea.png")));
    QTRY_VERIFY_WITH_TIMEOUT(m_panel->result() && m_panel->view()->hasData(), 60000);
}

void TestTomePanel::slidersChangeMapAndCounts()
{
    const QString countsBefore = m_panel->tokenSummary();
    const QImage mapBefore = m_panel->view()->data().map;
    QVERIFY(countsBefore.endsWith("101")); // default r = 8 on ViT-S/16: 197 - 12 * 8

    QSignalSpy finished(m_panel->runner(), &JobRunner::finished);
    m_panel->rSlider()->setValue(16);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 60000);
    QVERIFY(m_panel->tokenSummary() != countsBefore);
    QVERIFY(m_panel->tokenSummary().endsWith("→ 21 → 11")); // 197 - 11 * 16, then r clamps to (21 - 1) / 2
    QVERIFY(m_panel->view()->data().map != mapBefore);

    // The layer slider replays recorded merges: the map changes, no new run starts.
    const quint64 generation = m_panel->runner()->generation();
    const QImage atLast = m_panel->view()->data().map;
    m_panel->layerSlider()->setValue(3);
    QVERIFY(m_panel->view()->data().map != atLast);
    QVERIFY(m_panel->view()->data().title.contains("after block 3"));
    QCOMPARE(m_panel->view()->data().tokensAtLayer, 149);
    QVERIFY(m_panel->view()->data().caption.join(' ').contains("149 tokens"));
    QCOMPARE(m_panel->runner()->generation(), generation);
    QVERIFY(!m_panel->runner()->isRunning());
}

// The command line draws the same picture as the window for the same settings (one renderer).
void TestTomePanel::commandLineFigureMatchesWindow()
{
    std::optional<Figure> figure = m_panel->currentFigure();
    QVERIFY(figure);
    const QImage shown = renderFigure(*figure, 1.0).convertToFormat(QImage::Format_RGB32);
    QTemporaryDir dir;
    const QString out = dir.filePath("cli.png");
    QProcess cli;
    cli.start(test::tokenscopeExecutable(), {"merge", "--image", test::sampleImage("chelsea.png"), "--preset", "vit-s16", "--seed", "0",
                                             "--r", "16", "--layer", "3", "--out", out});
    QVERIFY(cli.waitForFinished(120000));
    QCOMPARE(cli.exitCode(), 0);
    const QImage exported = QImage(out).convertToFormat(QImage::Format_RGB32);
    QCOMPARE(exported.size(), shown.size());
    QCOMPARE(exported, shown);
}

void TestTomePanel::clickShowsLineage()
{
    MergeView* view = m_panel->view();
    const QImage input = view->data().input;
    // The middle of patch (6, 7) on the map, wherever the layout puts it.
    auto patchCentre = [view](const QRectF& map) {
        const double cell = map.width() / view->data().grid;
        return (map.topLeft() + QPointF(6.5 * cell, 7.5 * cell)).toPoint();
    };
    const int patch = 7 * view->data().grid + 6;
    QTest::mouseClick(view, Qt::LeftButton, {}, patchCentre(mergeMapLayout(view->shownData(), view->figureRect()).map));
    QCOMPARE(m_panel->selectedPatch(), patch);
    QVERIFY(view->data().hasLineage());
    QVERIFY(view->data().lineageTitle.startsWith("Lineage"));
    // The lineage sits beside the photo, which stays.
    const MergeMapLayout withLineage = mergeMapLayout(view->shownData(), view->figureRect());
    QVERIFY(!withLineage.lineage.isEmpty() && !withLineage.input.isEmpty());
    QVERIFY(withLineage.lineage.left() > withLineage.map.right());
    QCOMPARE(view->data().input, input);
    // The map moved to make room; a second click on the same patch clears.
    QCOMPARE(view->patchAt(patchCentre(withLineage.map)), patch);
    QTest::mouseClick(view, Qt::LeftButton, {}, patchCentre(withLineage.map));
    QCOMPARE(m_panel->selectedPatch(), -1);
    QVERIFY(!view->data().hasLineage());
}

void TestTomePanel::badImageKeepsPrevious()
{
    const QImage before = m_window->workspace()->image();
    QString error;
    QVERIFY(!m_window->workspace()->openImage(test::sourceDir() + "/CMakeLists.txt", &error));
    QVERIFY(error.contains("CMakeLists.txt"));
    QCOMPARE(m_window->workspace()->image(), before);
}

void TestTomePanel::cleanupTestCase() { delete m_window; }

QTEST_MAIN(TestTomePanel)
#include "tst_tome_panel.moc"
