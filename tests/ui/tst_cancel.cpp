// Cancelling a run at any moment, in each lab that runs a model (ToMe, FIT, FAM): the run stops
// within two seconds of the click, the status line says it was cancelled, the figure and data
// shown before are exactly as they were (same pixels on screen and in the export, same JSON), and
// the next run completes normally.
#include "core/fam/fam_api.h"
#include "core/fit/fit_api.h"
#include "core/tome/tome_api.h"
#include "ui/labs/fam/fam_panel.h"
#include "ui/widgets/figure_view.h"
#include "ui/labs/fit/fit_panel.h"
#include "ui/labs/fit/fit_view.h"
#include "ui/jobs/job_runner.h"
#include "ui/labs/tome/merge_view.h"
#include "ui/widgets/run_status.h"
#include "ui/labs/tome/tome_panel.h"
#include "ui/shell/workspace.h"

#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QProgressBar>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QtTest>

#include <functional>
#include <map>
#include <memory>

using namespace ts;

namespace {

// One lab on its own workspace, with a quick setting (the figure to keep) and a slow one (the
// run to cancel: several seconds on this machine, with progress at least every few hundred ms).
struct Lab {
    std::unique_ptr<Workspace> workspace;
    LabPanel* panel = nullptr; // owned by `window`
    std::unique_ptr<QWidget> window;
    JobRunner* runner = nullptr;
    QWidget* view = nullptr;
    std::function<void()> quick;
    std::function<void()> slow;
    std::function<bool()> showsResult; // the view shows a result, not a placeholder or preview
};

enum class Moment { AtStart, FirstProgress, LaterProgress };

QImage screen(QWidget* view) { return view->grab().toImage(); }

} // namespace

Q_DECLARE_METATYPE(Moment)

class TestCancel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void cancelKeepsThePreviousFigure_data();
    void cancelKeepsThePreviousFigure();

private:
    Lab& lab(const QString& name) { return m_labs.at(name); }
    std::map<QString, Lab> m_labs;
};

void TestCancel::initTestCase()
{
    QCoreApplication::setOrganizationName("TokenScopeTests");
    auto add = [this](const QString& name, auto makePanel) {
        Lab l;
        l.workspace = std::make_unique<Workspace>();
        QString error;
        QVERIFY2(l.workspace->openDefaultImage(&error), qPrintable(error));
        l.window = makePanel(l);
        l.window->resize(1300, 800);
        l.window->show();
        m_labs.emplace(name, std::move(l));
    };
    add("tome", [](Lab& l) {
        auto* p = new ToMePanel(l.workspace.get());
        l.panel = p;
        l.runner = p->runner();
        l.view = p->view();
        Workspace* ws = l.workspace.get();
        // The default ViT-S/16 at 224 px; at 448 px it has 4x the tokens (about 10x the work) and
        // a new model to build.
        auto sized = [ws](int size) {
            ModelSource s = ws->modelSource();
            s.imageSize = size;
            ws->setModelSource(s);
        };
        l.quick = [sized] { sized(224); };
        l.slow = [sized] { sized(448); };
        l.showsResult = [p] { return p->view()->hasData(); };
        return std::unique_ptr<QWidget>(p);
    });
    add("fit", [](Lab& l) {
        auto* p = new FitPanel(l.workspace.get());
        l.panel = p;
        l.runner = p->runner();
        l.view = p->view();
        p->patternEdit()->setText("L(1)G(1)L(1)G(1)");
        l.quick = [p] { p->sizeSpin()->setValue(224); };
        l.slow = [p] { p->sizeSpin()->setValue(1024); }; // 4096 patches in 256 groups
        l.showsResult = [p] { return p->view()->hasOverlay(); };
        return std::unique_ptr<QWidget>(p);
    });
    add("fam", [](Lab& l) {
        auto* p = new FamPanel(l.workspace.get());
        l.panel = p;
        l.runner = p->runner();
        l.view = p->view();
        l.quick = [p] {
            p->streamBox()->setChecked(false);
            p->blockBox()->setValue(32);
        };
        l.slow = [p] { // 1563 blocks of 64 synthetic tokens, six per step, each through 12 layers
            p->blockBox()->setValue(64);
            p->streamLengthBox()->setValue(100000);
            p->streamBox()->setChecked(true);
        };
        l.showsResult = [p] { return p->view()->figure().has_value(); };
        return std::unique_ptr<QWidget>(p);
    });
    for (auto& [name, l] : m_labs) {
        QVERIFY(QTest::qWaitForWindowExposed(l.window.get()));
        l.quick();
        l.panel->runNow();
    }
    for (auto& [name, l] : m_labs)
        QTRY_VERIFY2_WITH_TIMEOUT(l.panel->currentFigure() && !l.runner->isRunning(), qPrintable(name), 180000);
}

void TestCancel::cancelKeepsThePreviousFigure_data()
{
    QTest::addColumn<QString>("lab");
    QTest::addColumn<Moment>("moment");
    QTest::addColumn<bool>("button"); // the RunStatus button, or the panel's cancelRun (menu, Esc)
    for (const QString name : {"tome", "fit", "fam"}) {
        const QByteArray n = name.toLatin1();
        QTest::newRow(n + " at start") << name << Moment::AtStart << true;
        QTest::newRow(n + " after first progress") << name << Moment::FirstProgress << false;
        QTest::newRow(n + " after third progress") << name << Moment::LaterProgress << true;
    }
}

void TestCancel::cancelKeepsThePreviousFigure()
{
    QFETCH(QString, lab);
    QFETCH(Moment, moment);
    QFETCH(bool, button);
    Lab& l = this->lab(lab);
    auto* status = l.panel->findChild<RunStatus*>();
    QVERIFY(status);

    // What the user sees and would export before the run.
    QVERIFY(l.showsResult());
    const std::optional<Figure> figureBefore = l.panel->currentFigure();
    QVERIFY(figureBefore);
    const QImage exportedBefore = renderFigure(*figureBefore);
    const QByteArray dataBefore = l.panel->currentDataJson();
    QVERIFY(!dataBefore.isEmpty());
    const QImage screenBefore = screen(l.view);

    QSignalSpy started(l.runner, &JobRunner::started);
    QSignalSpy progress(l.runner, &JobRunner::progress);
    QSignalSpy finished(l.runner, &JobRunner::finished);
    QSignalSpy cancelled(l.runner, &JobRunner::cancelled);
    l.slow();
    l.panel->runNow();
    QCOMPARE(started.count(), 1);
    QVERIFY(l.runner->isRunning());
    if (moment == Moment::FirstProgress)
        QVERIFY(progress.wait(60000));
    else if (moment == Moment::LaterProgress)
        QTRY_VERIFY_WITH_TIMEOUT(progress.count() >= 3, 60000);
    QVERIFY2(finished.isEmpty(), "the slow run finished before it could be cancelled");

    QElapsedTimer clock;
    clock.start();
    if (button) {
        QVERIFY(status->cancelButton()->isEnabled());
        QTest::mouseClick(status->cancelButton(), Qt::LeftButton);
    } else {
        l.panel->cancelRun();
    }
    QCOMPARE(cancelled.count(), 1); // said at once
    QTRY_VERIFY_WITH_TIMEOUT(!l.runner->isRunning(), 10000);
    const qint64 stopMs = clock.elapsed();
    qInfo("%s: the run stopped %lld ms after cancel (%lld progress reports before)", qPrintable(lab), stopMs,
          static_cast<long long>(progress.count()));
    QVERIFY2(stopMs < 2000, qPrintable(QString("stopped %1 ms after cancel").arg(stopMs)));
    QTest::qWait(50); // let the runner's queued signals arrive
    QCOMPARE(finished.count(), 0);
    QCOMPARE(cancelled.count(), 1);
    QVERIFY2(status->messageLabel()->text().contains("Cancelled"), qPrintable(status->messageLabel()->text()));
    QVERIFY(!status->cancelButton()->isEnabled());
    QVERIFY(!status->progressBar()->isVisible());

    // Nothing the user had is lost.
    QVERIFY(l.showsResult());
    const std::optional<Figure> figureAfter = l.panel->currentFigure();
    QVERIFY(figureAfter);
    QCOMPARE(renderFigure(*figureAfter), exportedBefore);
    QCOMPARE(figureAfter->recipeJson, figureBefore->recipeJson);
    QCOMPARE(l.panel->currentDataJson(), dataBefore);
    QCOMPARE(screen(l.view), screenBefore);

    // And the app goes on: the quick setting runs to the end and shows its figure.
    l.quick();
    l.panel->runNow();
    QVERIFY(finished.wait(120000));
    QCOMPARE(finished.count(), 1);
    QVERIFY2(finished.front().front().value<JobOutcome>().error.isEmpty(),
             qPrintable(finished.front().front().value<JobOutcome>().error));
    QVERIFY(!l.runner->isRunning());
    QVERIFY(l.showsResult());
    const std::optional<Figure> figureNext = l.panel->currentFigure();
    QVERIFY(figureNext);
    QCOMPARE(renderFigure(*figureNext).size(), exportedBefore.size());
    QVERIFY(!status->messageLabel()->text().contains("Cancelled"));
}

QTEST_MAIN(TestCancel)
#include "tst_cancel.moc"
