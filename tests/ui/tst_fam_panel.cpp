// The FAM lab through the real window: a run over the bundled image, then a change of block size
// gives a new run with more blocks and a different figure.
#include "core/fam/fam_api.h"
#include "ui/labs/fam/fam_panel.h"
#include "ui/widgets/figure_view.h"
#include "ui/jobs/job_runner.h"
#include "ui/shell/main_window.h"

#include <QSignalSpy>
#include <QSpinBox>
#include <QTabWidget>
#include <QtTest>

using namespace ts;

class TestFamPanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void blockSizeChangesTheRun();
};

void TestFamPanel::blockSizeChangesTheRun()
{
    QCoreApplication::setOrganizationName("TokenScopeTests");
    MainWindow w;
    w.show();
    auto* panel = w.findChild<FamPanel*>();
    QVERIFY(panel);
    w.tabs()->setCurrentWidget(panel);
    QTRY_VERIFY_WITH_TIMEOUT(panel->result() && panel->view()->figure(), 120000);
    QCOMPARE(panel->result()->length, 196); // ViT-S/16 at 224 px
    QCOMPARE(panel->result()->blocks, 13);  // ceil(196 / 16)
    QVERIFY(panel->result()->peakMemoryBytes > 0);
    const QImage before = renderFigure(*panel->currentFigure());

    QSignalSpy finished(panel->runner(), &JobRunner::finished);
    panel->blockBox()->setValue(8);
    QTRY_COMPARE_WITH_TIMEOUT(finished.count(), 1, 120000);
    QCOMPARE(panel->result()->blocks, 25); // ceil(196 / 8)
    QVERIFY(renderFigure(*panel->currentFigure()) != before);
    QVERIFY(!panel->currentDataJson().isEmpty());
}

QTEST_MAIN(TestFamPanel)
#include "tst_fam_panel.moc"
