// The Compare lab through the real window: its table gives the numbers `tokenscope compare --json`
// gives for the same image and settings; a reopened session shows the same figure; the exported
// figure's command draws it again; a cancelled run leaves the previous figure; a click on a map
// shows that patch's lineage in every map.
#include "core/reduction/compare_api.h"
#include "core/settings/recipe_command.h"
#include "core/settings/settings_json.h"
#include "ui/figures/figure_export.h"
#include "ui/jobs/job_runner.h"
#include "ui/labs/compare/compare_panel.h"
#include "ui/labs/compare/compare_table.h"
#include "ui/labs/compare/compare_view.h"
#include "ui/shell/main_window.h"
#include "ui/shell/workspace.h"
#include "tests/common/cli_runner.h"
#include "tests/common/panel_wait.h"
#include "tests/common/recipe_rerun.h"
#include "tests/common/test_paths.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QSlider>
#include <QTabWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace ts;

class TestComparePanel : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void tableMatchesTheCommandLine();
    void exportedFigureRedrawsFromItsCommand();
    void cancelLeavesThePreviousFigure();
    void clickShowsLineageInEveryMap();
    void reopenedSessionShowsTheSameFigure();
    void runsWhenFirstShown();
    void cleanupTestCase();

private:
    MainWindow* m_window = nullptr;
    ComparePanel* m_panel = nullptr;
    QTemporaryDir m_dir;
};

namespace {

// A small model and three methods, so each run takes a fraction of a second.
void useSmallModel(MainWindow& w, std::uint64_t seed)
{
    ModelSource s = w.workspace()->modelSource();
    s.preset = "vit-ti16";
    s.seed = seed;
    w.workspace()->setModelSource(s);
}

} // namespace

void TestComparePanel::initTestCase()
{
    QCoreApplication::setOrganizationName("TokenScopeTests");
    m_window = new MainWindow;
    m_window->resize(1400, 820);
    m_window->show();
    m_panel = m_window->findChild<ComparePanel*>();
    QVERIFY(m_panel);
    QCOMPARE(m_window->tabs()->tabText(m_window->tabs()->indexOf(m_panel)), QString("Compare"));
    m_window->tabs()->setCurrentWidget(m_panel);
    QVERIFY(m_window->openImage(test::sampleImage("chelsea.png")));
    useSmallModel(*m_window, 3);
    CompareSettings s = m_panel->settings();
    s.methods = {ReductionMethod::ToMe, ReductionMethod::Atc, ReductionMethod::EVit};
    s.fraction = 0.7;
    s.linkage = Linkage::Complete;
    m_panel->applySettings(s);
    QVERIFY(test::settled(m_panel));
}

// The table's GFLOPs, cosine, KL and top-1 are those of `compare --json` run with the lab's
// recipe arguments; its times are the run's own (the data export's "seconds").
void TestComparePanel::tableMatchesTheCommandLine()
{
    const CompareSettings s = m_panel->settings();
    QStringList args;
    for (const std::string& a : recipeArguments(s))
        args << QString::fromStdString(a);
    QVERIFY2(args.join(' ').contains("--linkage complete --methods tome,atc,evit --fraction 0.7"), qPrintable(args.join(' ')));
    const QString json = m_dir.filePath("compare.json");
    const auto run = test::runTokenscope(args << "--json" << json);
    QVERIFY2(run.code == 0, qPrintable(run.err));
    QFile f(json);
    QVERIFY(f.open(QIODevice::ReadOnly));
    const QJsonObject cli = QJsonDocument::fromJson(f.readAll()).object();
    const QJsonObject data = QJsonDocument::fromJson(m_panel->currentDataJson()).object();
    QCOMPARE(data.keys(), cli.keys());
    const CompareTable* table = m_panel->table();
    QCOMPARE(table->rowCount(), 4);
    QCOMPARE(table->value(0, CompareTable::Gflops).toDouble(), cli["gflops_plain"].toDouble());
    for (int row = 1; row < table->rowCount(); ++row) {
        const QString name = table->value(row, CompareTable::Method).toString();
        const QJsonObject m = cli["methods"].toObject()[name].toObject();
        QVERIFY2(!m.isEmpty(), qPrintable(name));
        const QJsonObject a = m["agreement"].toObject();
        QCOMPARE(table->value(row, CompareTable::Gflops).toDouble(), m["gflops"].toDouble()); // analytic: exact
        QVERIFY2(std::abs(table->value(row, CompareTable::Cosine).toDouble() - a["cosine"].toDouble()) < 1e-5, qPrintable(name));
        const double kl = table->value(row, CompareTable::Kl).toDouble();
        QVERIFY2(std::abs(kl - a["kl"].toDouble()) <= 1e-3 * a["kl"].toDouble() + 1e-7, qPrintable(name));
        QCOMPARE(table->value(row, CompareTable::Top1).toBool(), a["top1_same"].toBool());
        QCOMPARE(table->value(row, CompareTable::Milliseconds).toDouble(),
                 data["methods"].toObject()[name].toObject()["seconds"].toDouble());
        QVERIFY(table->value(row, CompareTable::Milliseconds).toDouble() > 0);
    }
}

void TestComparePanel::exportedFigureRedrawsFromItsCommand()
{
    m_panel->layerSlider()->setValue(5);
    const std::optional<Figure> figure = m_panel->currentFigure();
    QVERIFY(figure);
    const QString path = m_dir.filePath("compare.png");
    exportFigure(*figure, path);
    const test::Rerun r = test::rerunEmbeddedCommand(path);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error + " (" + r.command + ")"));
    QVERIFY2(r.command.contains("--layer 5 --out compare.png"), qPrintable(r.command));
    QVERIFY2(!r.before.isNull() && r.after == r.before, qPrintable(r.command));
    m_panel->layerSlider()->setValue(m_panel->layerSlider()->maximum());
}

void TestComparePanel::cancelLeavesThePreviousFigure()
{
    const QImage before = test::figurePixels(m_panel);
    const CompareResult* result = m_panel->result();
    QSignalSpy cancelled(m_panel->runner(), &JobRunner::cancelled);
    m_panel->budgetSlider()->setValue(450);
    m_panel->runNow();
    m_panel->cancelRun();
    QTRY_VERIFY_WITH_TIMEOUT(!m_panel->runner()->isRunning(), 60000);
    QTest::qWait(50);
    QCOMPARE(m_panel->result(), result);
    QVERIFY(test::figurePixels(m_panel) == before);
    m_panel->budgetSlider()->setValue(700);
    QVERIFY(test::settled(m_panel, result));
}

void TestComparePanel::clickShowsLineageInEveryMap()
{
    CompareView* view = m_panel->view();
    const QImage before = test::figurePixels(m_panel);
    QPoint at;
    for (int y = 0; y < view->height() && at.isNull(); y += 4)
        for (int x = 0; x < view->width() && at.isNull(); x += 4)
            if (view->patchAt(QPointF(x, y)) >= 0)
                at = QPoint(x + 10, y + 10);
    QVERIFY(!at.isNull());
    const int patch = view->patchAt(at);
    QTest::mouseClick(view, Qt::LeftButton, {}, at);
    QCOMPARE(m_panel->settings().selectedPatch, patch);
    QVERIFY(test::figurePixels(m_panel) != before);
    QVERIFY(!m_panel->runner()->isRunning()); // a view change, no new run
    QTest::mouseClick(view, Qt::LeftButton, {}, at); // a second click clears
    QCOMPARE(m_panel->settings().selectedPatch, -1);
    QVERIFY(test::figurePixels(m_panel) == before);
}

void TestComparePanel::reopenedSessionShowsTheSameFigure()
{
    CompareSettings s = m_panel->settings();
    s.methods = {ReductionMethod::PiToMe, ReductionMethod::EVit};
    s.fraction = 0.55;
    s.margin = 0.75;
    s.evitLayers = {2, 5, 8};
    s.layer = 6;
    s.selectedPatch = 40;
    const CompareResult* before = m_panel->result();
    m_panel->applySettings(s);
    QVERIFY(test::settled(m_panel, before));
    const QByteArray saved = QByteArray::fromStdString(toJson(m_panel->settings()).dump());
    const QImage shown = test::figurePixels(m_panel);
    const QString path = m_dir.filePath("compare.tokenscope");
    QString error;
    QVERIFY2(m_window->saveSession(path, &error), qPrintable(error));

    MainWindow other; // shown, as a user's window: the session makes the Compare tab current
    other.resize(1400, 820);
    other.show();
    QVERIFY(QTest::qWaitForWindowExposed(&other));
    QStringList problems;
    auto* panel = test::reopenedPanel<ComparePanel>(other, path, problems);
    QVERIFY2(panel, qPrintable(problems.join("; ")));
    QCOMPARE(QByteArray::fromStdString(toJson(panel->settings()).dump()), saved);
    QCOMPARE(panel->settings().layer, 6);
    QVERIFY(test::figurePixels(panel) == shown);
}

// A window opened on another tab has not run the comparison (the heaviest run of any lab); a
// change while hidden does not run it either; showing the tab does, with the settings shown.
void TestComparePanel::runsWhenFirstShown()
{
    MainWindow w;
    w.tabs()->setCurrentIndex(0);
    w.resize(1400, 820);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    auto* panel = w.findChild<ComparePanel*>();
    QVERIFY(w.tabs()->currentWidget() != panel);
    useSmallModel(w, 5);
    panel->budgetSlider()->setValue(650);
    QTest::qWait(800); // well past the debounce
    QVERIFY(!panel->result());
    QVERIFY(!panel->runner()->isRunning());
    w.tabs()->setCurrentWidget(panel);
    QVERIFY(test::settled(panel));
    const auto& budget = panel->result()->methods.front().budget;
    QVERIFY2(std::abs(budget.target / budget.plainFlops - 0.65) < 1e-6, qPrintable(QString::number(budget.target / budget.plainFlops)));
}

void TestComparePanel::cleanupTestCase() { delete m_window; }

QTEST_MAIN(TestComparePanel)
#include "tst_compare_panel.moc"
