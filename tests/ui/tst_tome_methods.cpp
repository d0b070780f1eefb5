// The ToMe lab's method choice through the real window: each method shows only its own
// parameters, the run uses the chosen method, the exported figure's command (`merge --method ...`)
// draws it again, and a session saved with PiToMe reopens as PiToMe showing the same figure.
#include "core/tome/tome_api.h"
#include "ui/figures/figure_export.h"
#include "ui/jobs/job_runner.h"
#include "ui/labs/tome/reduction_controls.h"
#include "ui/labs/tome/tome_panel.h"
#include "ui/shell/main_window.h"
#include "ui/shell/workspace.h"
#include "tests/common/panel_wait.h"
#include "tests/common/recipe_rerun.h"
#include "tests/common/test_paths.h"

#include <QComboBox>
#include <QDoubleSpinBox>
#include <QFormLayout>
#include <QLabel>
#include <QSlider>
#include <QTemporaryDir>
#include <QtTest>

using namespace ts;

Q_DECLARE_METATYPE(ts::ReductionOptions)

class TestTomeMethods : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void eachMethodShowsItsParameters();
    void recipeRedrawsTheFigure_data();
    void recipeRedrawsTheFigure();
    void sessionReopensAsPiToMe();
    void cleanupTestCase();

private:
    MainWindow* m_window = nullptr;
    ToMePanel* m_panel = nullptr;
    QTemporaryDir m_dir;
};

void TestTomeMethods::initTestCase()
{
    QCoreApplication::setOrganizationName("TokenScopeTests");
    m_window = new MainWindow;
    m_window->resize(1400, 820);
    m_window->show();
    m_panel = m_window->findChild<ToMePanel*>();
    QVERIFY(m_window->openImage(test::sampleImage("coffee.png")));
    ModelSource s = m_window->workspace()->modelSource();
    s.preset = "vit-ti16";
    s.seed = 6;
    m_window->workspace()->setModelSource(s);
    QVERIFY(test::settled(m_panel));
}

void TestTomeMethods::eachMethodShowsItsParameters()
{
    auto* form = qobject_cast<QFormLayout*>(m_panel->reductionControls()->methodBox()->parentWidget()->layout());
    QVERIFY(form);
    auto rowShown = [form](const QString& label) {
        for (int row = 0; row < form->rowCount(); ++row)
            if (auto* item = form->itemAt(row, QFormLayout::LabelRole); item && item->widget())
                if (auto* l = qobject_cast<QLabel*>(item->widget()); l && l->text() == label)
                    return form->isRowVisible(row);
        return false;
    };
    ReductionControls* controls = m_panel->reductionControls();
    controls->setOptions(ReductionOptions{ReductionMethod::ToMe});
    QVERIFY(!rowShown("Margin") && !rowShown("Linkage") && !rowShown("Keep rate"));
    controls->setOptions(ReductionOptions{ReductionMethod::PiToMe});
    QVERIFY(rowShown("Margin") && rowShown("Keep ratio") && !rowShown("Linkage"));
    controls->setOptions(ReductionOptions{ReductionMethod::Atc});
    QVERIFY(rowShown("Linkage") && !rowShown("Margin"));
    ReductionOptions evit{ReductionMethod::EVit};
    evit.keepRate = 0.7;
    const ToMeResult* before = m_panel->result();
    controls->setOptions(evit);
    QVERIFY(rowShown("Keep rate") && rowShown("Layers") && !rowShown("Linkage"));
    QVERIFY(!m_panel->rSlider()->isEnabled()); // the keep rate sets the tokens removed
    QVERIFY(test::settled(m_panel, before));
    QCOMPARE(m_panel->result()->method, ReductionMethod::EVit);
    before = m_panel->result();
    controls->setOptions(ReductionOptions{ReductionMethod::ToMe});
    QVERIFY(m_panel->rSlider()->isEnabled());
    QVERIFY(test::settled(m_panel, before));
}

void TestTomeMethods::recipeRedrawsTheFigure_data()
{
    QTest::addColumn<ReductionOptions>("options");
    QTest::addColumn<int>("schedule"); // ToMeSettings::Schedule
    QTest::addColumn<QString>("expected");
    ReductionOptions pitome{ReductionMethod::PiToMe};
    pitome.margin = 0.8;
    pitome.keepRatio = 0.9;
    QTest::newRow("pitome keep ratio") << pitome << 1 << "--method pitome --margin 0.8 --keep-ratio 0.9";
    ReductionOptions atc{ReductionMethod::Atc};
    atc.linkage = Linkage::Single;
    QTest::newRow("atc single linkage") << atc << 0 << "--r 6 --method atc --linkage single";
    ReductionOptions evit{ReductionMethod::EVit};
    evit.keepRate = 0.6;
    evit.layers = {1, 4};
    QTest::newRow("evit keep rate, layers") << evit << 0 << "--method evit --keep-rate 0.6 --layers 2,5";
}

// The exported figure names `merge --method ...` with the method's own options, and that command
// draws the same pixels.
void TestTomeMethods::recipeRedrawsTheFigure()
{
    QFETCH(ReductionOptions, options);
    QFETCH(int, schedule);
    QFETCH(QString, expected);
    ToMeSettings s = m_panel->settings();
    s.reduction = options;
    s.schedule = static_cast<ToMeSettings::Schedule>(schedule);
    s.r = 6;
    const ToMeResult* before = m_panel->result();
    m_panel->applySettings(s);
    QVERIFY(test::settled(m_panel, before));
    QCOMPARE(m_panel->result()->method, options.method);
    const QString path = m_dir.filePath(QString("merge-%1.png").arg(reductionMethodName(options.method)));
    exportFigure(*m_panel->currentFigure(), path);
    const test::Rerun r = test::rerunEmbeddedCommand(path);
    QVERIFY2(r.error.isEmpty(), qPrintable(r.error + " (" + r.command + ")"));
    QVERIFY2(r.command.contains(expected), qPrintable(r.command));
    QVERIFY2(!r.before.isNull() && r.after == r.before, qPrintable(r.command));
}

void TestTomeMethods::sessionReopensAsPiToMe()
{
    ToMeSettings s = m_panel->settings();
    s.schedule = ToMeSettings::Schedule::Constant;
    s.r = 10;
    s.reduction = ReductionOptions{ReductionMethod::PiToMe};
    s.reduction.margin = 0.7;
    s.layer = 7;
    const ToMeResult* before = m_panel->result();
    m_panel->applySettings(s);
    QVERIFY(test::settled(m_panel, before));
    QCOMPARE(m_panel->result()->method, ReductionMethod::PiToMe);
    const QImage shown = test::figurePixels(m_panel);
    const QString path = m_dir.filePath("pitome.tokenscope");
    QString error;
    QVERIFY2(m_window->saveSession(path, &error), qPrintable(error));

    MainWindow other;
    QStringList problems;
    auto* panel = test::reopenedPanel<ToMePanel>(other, path, problems);
    QVERIFY2(panel, qPrintable(problems.join("; ")));
    QCOMPARE(panel->result()->method, ReductionMethod::PiToMe);
    QCOMPARE(panel->settings().reduction.margin, 0.7);
    QCOMPARE(panel->reductionControls()->methodBox()->currentText(), QString("PiToMe"));
    QVERIFY(test::figurePixels(panel) == shown);

    // A session saved with ToMe reopens as ToMe, whatever the window showed before.
    ToMeSettings tome = m_panel->settings();
    tome.reduction = {};
    before = m_panel->result();
    m_panel->applySettings(tome);
    QVERIFY(test::settled(m_panel, before));
    QVERIFY2(m_window->saveSession(path, &error), qPrintable(error));
    const ToMeResult* pitomeResult = panel->result();
    QVERIFY(other.openSession(path, &problems));
    QVERIFY(test::settled(panel, pitomeResult));
    QCOMPARE(panel->result()->method, ReductionMethod::ToMe);
}

void TestTomeMethods::cleanupTestCase() { delete m_window; }

QTEST_MAIN(TestTomeMethods)
#include "tst_tome_methods.moc"
