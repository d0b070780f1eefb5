// Run > Evaluate Folder… through the real window: the dialog evaluates a folder the test writes on
// the model thread with progress, shows the plot and the table, and its result is the session's:
// saved, reopened in a new window, the same plot pixel for pixel and the same fields.
#include "core/reduction/evaluation_json.h"
#include "ui/figures/figure_export.h"
#include "ui/jobs/job_runner.h"
#include "ui/labs/eval/evaluate_folder_dialog.h"
#include "ui/shell/main_window.h"
#include "ui/shell/workspace.h"
#include "ui/widgets/figure_view.h"
#include "ui/widgets/run_status.h"
#include "tests/common/image_folder_fixture.h"

#include <QAction>
#include <QCheckBox>
#include <QLabel>
#include <QLineEdit>
#include <QSignalSpy>
#include <QStandardPaths>
#include <QTableWidget>
#include <QTemporaryDir>
#include <QtTest>

using namespace ts;

class TestEvaluateDialog : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName("TokenScopeTests");
        QStandardPaths::setTestModeEnabled(true); // resume files under the test's own cache folder
    }
    void resultRoundTripsThroughSession();
    void badFieldsShowAnError();

private:
    QTemporaryDir m_dir;
};

static EvaluateFolderDialog* openDialog(MainWindow& w)
{
    ModelSource s = w.workspace()->modelSource();
    s.preset = "vit-ti16";
    s.imageSize = 64;
    s.seed = 1;
    w.workspace()->setModelSource(s);
    auto* action = w.findChild<QAction*>("EvaluateFolderAction");
    if (!action)
        return nullptr;
    action->trigger();
    return w.findChild<EvaluateFolderDialog*>();
}

void TestEvaluateDialog::resultRoundTripsThroughSession()
{
    const QString folder = m_dir.filePath("images"), session = m_dir.filePath("eval.tokenscope");
    test::writeImageFolder(folder, 3);
    QImage before;
    {
        MainWindow w;
        EvaluateFolderDialog* d = openDialog(w);
        QVERIFY(d && d->isVisible());
        d->folderEdit()->setText(folder);
        d->methodBox(ReductionMethod::Atc)->setChecked(true);
        d->valuesEdit()->setText("0, 2, 4");
        QSignalSpy done(d, &EvaluateFolderDialog::evaluated);
        QSignalSpy progress(d->runner(), &JobRunner::progress);
        d->run();
        QTRY_COMPARE_WITH_TIMEOUT(done.count(), 1, 60000);
        QVERIFY(progress.count() >= 2);
        QCOMPARE(d->result()->images, 3);
        QCOMPARE(d->result()->skipped.size(), std::size_t(2));
        QCOMPARE(d->table()->rowCount(), 6);
        QCOMPARE(d->table()->item(0, 4)->text(), QString("100.0 %"));
        QVERIFY(d->view()->figure().has_value());
        before = renderFigure(*d->figure());
        QVERIFY(w.saveSession(session));
    }
    MainWindow w;
    QStringList problems;
    QVERIFY(w.openSession(session, &problems));
    EvaluateFolderDialog* d = w.evaluateFolderDialog();
    QVERIFY2(d->result().has_value(), qPrintable(problems.join("\n")));
    const QImage after = renderFigure(*d->figure());
    QVERIFY(!before.isNull());
    QCOMPARE(after, before);
    QCOMPARE(d->table()->rowCount(), 6);
    QCOMPARE(d->folderEdit()->text(), folder);
    QVERIFY(d->methodBox(ReductionMethod::Atc)->isChecked());
    QCOMPARE(d->valuesEdit()->text(), QString("0, 2, 4"));
    QVERIFY(d->figure()->command.startsWith("tokenscope eval --images"));
}

void TestEvaluateDialog::badFieldsShowAnError()
{
    MainWindow w;
    EvaluateFolderDialog* d = openDialog(w);
    QVERIFY(d);
    d->folderEdit()->setText(m_dir.filePath("images"));
    d->valuesEdit()->setText("0, x");
    d->run();
    QVERIFY(!d->runner()->isRunning());
    QVERIFY(!d->result().has_value());
    const QString message = d->findChild<RunStatus*>()->messageLabel()->text();
    QVERIFY2(message.contains("'x' is not an r"), qPrintable(message));
}

QTEST_MAIN(TestEvaluateDialog)
#include "tst_evaluate_dialog.moc"
