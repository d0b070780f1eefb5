// Recipes made on the command line regenerate their figures: each command's PNG (and SVG) names
// the command that draws it again, with every setting given (custom normalisation, a checkpoint
// and its SHA-256, opacity, selection, borders, random group colours, FIT's normalisation, FAM's overlay, mask
// comparisons and zoom, custom FLOP models and the figure size); FAM writes a recipe; a recipe
// whose checkpoint file changed is refused; Esc cancels a run only when no popup has it.
#include "core/vit/vit_api.h"
#include "ui/labs/flops/flop_panel.h"
#include "ui/jobs/job_runner.h"
#include "ui/widgets/run_status.h"
#include "tests/common/cli_runner.h"
#include "tests/common/recipe_rerun.h"
#include "tests/common/test_paths.h"

#include <QComboBox>
#include <QJsonDocument>
#include <QJsonObject>
#include <QLineEdit>
#include <QListWidget>
#include <QMainWindow>
#include <QSignalSpy>
#include <QTemporaryDir>
#include <QtTest>

using namespace ts;

class TestRecipes : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void commandLineRecipesRegenerate_data();
    void commandLineRecipesRegenerate();
    void famWritesARecipe();
    void changedCheckpointIsRefused();
    void escapeInAPopupDoesNotCancel();

private:
    QTemporaryDir m_dir;
    QString m_checkpoint;
};

void TestRecipes::initTestCase()
{
    ModelSource s;
    s.preset = "vit-ti16";
    s.seed = 5;
    m_checkpoint = m_dir.filePath("ti.safetensors");
    saveVitCheckpoint(*buildVit(s), m_checkpoint.toStdString());
    QFile config(m_dir.filePath("flop_models.json"));
    QVERIFY(config.open(QIODevice::WriteOnly));
    config.write(R"({"models": [{"preset": "vit-s16", "name": "vit-s16-deep", "depth": 24}]})");
}

void TestRecipes::commandLineRecipesRegenerate_data()
{
    QTest::addColumn<QStringList>("args");
    const QString image = test::sampleImage("coffee.png");
    QTest::newRow("merge, normalisation, checkpoint, view") << QStringList{
        "merge", "--image", image, "--checkpoint", m_checkpoint, "--mean", "0.5,0.5,0.5", "--std", "0.5,0.5,0.5", "--r", "4",
        "--inflection", "0.5", "--layer", "7", "--opacity", "0.6", "--no-borders", "--select", "40", "--no-prop-attn"};
    QTest::newRow("merge, random group colours") << QStringList{"merge", "--image", image, "--preset", "vit-ti16", "--seed", "4", "--r", "6",
                                                               "--layer", "5", "--colours", "random", "--opacity", "0.7", "--select", "90"};
    QTest::newRow("fit with normalisation") << QStringList{"fit", "--image", image, "--group", "3", "--latents", "2", "--pattern",
                                                           "L1G1L1G1", "--size", "160", "--latent-width", "128", "--mean", "0.4,0.4,0.4",
                                                           "--overlay", "latent:2,1", "--seed", "3"};
    QTest::newRow("fit, data colour range") << QStringList{"fit", "--image", image, "--group", "4", "--latents", "2", "--pattern", "L1G1",
                                                           "--size", "128", "--latent-width", "128", "--colour-range", "data"};
    QTest::newRow("fam overlay") << QStringList{"fam", "--image", image, "--preset", "vit-ti16", "--seed", "2", "--block", "24",
                                                "--memory", "2", "--fam", "3", "--overlay", "block:4", "--layer", "5", "--std", "0.3,0.3,0.3"};
    QTest::newRow("fam, one query, no FAM") << QStringList{"fam", "--image", image, "--preset", "vit-ti16", "--block", "16", "--memory",
                                                           "2", "--no-fam", "--overlay", "block:6", "--query", "5",
                                                           "--colour-range", "data"};
    QTest::newRow("fam stream") << QStringList{"fam", "--stream-length", "300", "--preset", "vit-ti16", "--block", "32", "--memory",
                                               "1", "--fam", "2", "--bidirectional", "--stream-seed", "9"};
    QTest::newRow("mask comparison, zoom") << QStringList{"mask", "--kind", "fam", "--compare", "bswa,swa", "--length", "64", "--block",
                                                          "8", "--memory", "1", "--fam", "2", "--window", "5", "--region", "4:40,0:50",
                                                          "--pixels", "200", "--width", "96"};
    QTest::newRow("flops, custom model") << QStringList{"flops", "--preset", "vit-b16", "--config", "flop_models.json", "--lengths",
                                                        "256:4096:x4", "--mode", "ratio", "--baseline", "vit-s16-deep",
                                                        "--convention", "macs", "--figure-size", "820x500"};
}

void TestRecipes::commandLineRecipesRegenerate()
{
    QFETCH(QStringList, args);
    QTemporaryDir out;
    for (const char* suffix : {".png", ".svg"}) {
        const QString path = out.filePath(QString("figure") + suffix);
        // Run from the folder that holds flop_models.json, as a user with the file would.
        const test::CliRun run = test::runTokenscope(args + QStringList{"--out", path}, 300000, m_dir.path());
        QVERIFY2(run.code == 0, qPrintable(run.err));
        if (args.contains("flops")) // the recipe's command reads the config beside the figure
            QVERIFY(QFile::copy(m_dir.filePath("flop_models.json"), out.filePath("flop_models.json")) || QFile::exists(out.filePath("flop_models.json")));
        const test::Rerun r = test::rerunEmbeddedCommand(path);
        QVERIFY2(r.error.isEmpty(), qPrintable(r.error + " (" + r.command + ")"));
        QVERIFY2(r.command.contains(QString("--out figure") + suffix), qPrintable(r.command));
        QVERIFY2(!r.before.isNull() && r.after == r.before, qPrintable(r.command));
        // The settings the command was made from travel with it.
        const QJsonObject recipe = QJsonDocument::fromJson(test::fileBytes(path + ".recipe.json")).object();
        QCOMPARE(recipe["command"].toString(), r.command);
        QVERIFY(recipe["settings"].toObject().contains("lab"));
    }
}

void TestRecipes::famWritesARecipe()
{
    QTemporaryDir out;
    const QString path = out.filePath("f.png");
    const test::CliRun run = test::runTokenscope({"fam", "--image", test::sampleImage("chelsea.png"), "--preset", "vit-ti16", "--block", "16",
                                                  "--memory", "1", "--fam", "4", "--out", path});
    QVERIFY2(run.code == 0, qPrintable(run.err));
    QVERIFY(QFile::exists(path + ".recipe.json"));
    const QString command = test::embeddedCommand(path);
    QVERIFY2(command.startsWith("tokenscope fam --image ") && command.contains("--overlay block:") && command.contains("--layer 12"),
             qPrintable(command));
    // No run-to-run numbers in the picture's text either.
    QVERIFY(!QImage(path).text("Description").contains(" s,"));
}

void TestRecipes::changedCheckpointIsRefused()
{
    QTemporaryDir out;
    const QString path = out.filePath("m.png");
    const QString ckpt = out.filePath("c.safetensors");
    QVERIFY(QFile::copy(m_checkpoint, ckpt));
    test::CliRun run = test::runTokenscope({"merge", "--image", test::sampleImage("coffee.png"), "--checkpoint", ckpt, "--out", path});
    QVERIFY2(run.code == 0, qPrintable(run.err));
    // Another model under the same name: the recipe's hash no longer matches.
    ModelSource other;
    other.preset = "vit-ti16";
    other.seed = 6;
    QFile::remove(ckpt);
    saveVitCheckpoint(*buildVit(other), ckpt.toStdString());
    const test::Rerun r = test::rerunEmbeddedCommand(path);
    QVERIFY2(r.error.contains("has SHA-256") && r.error.contains("the recipe expects") && !r.error.contains('\n'), qPrintable(r.error));
}

// Esc pressed to close a drop-down during a FLOP measurement closes the drop-down only.
void TestRecipes::escapeInAPopupDoesNotCancel()
{
    QMainWindow window;
    auto* panel = new FlopPanel(&window);
    window.setCentralWidget(panel);
    QListWidget* list = panel->presetList();
    for (int i = 0; i < list->count(); ++i)
        list->item(i)->setCheckState(list->item(i)->text() == "vit-b16" ? Qt::Checked : Qt::Unchecked);
    panel->lengthsEdit()->setText("256:65536:x2");
    panel->measureLimitBox()->setCurrentIndex(panel->measureLimitBox()->findData(0LL));
    window.resize(1200, 800);
    window.show();
    QVERIFY(QTest::qWaitForWindowActive(&window));
    QSignalSpy cancelled(panel->runner(), &JobRunner::cancelled);
    panel->startMeasure();
    QVERIFY(panel->runner()->isRunning());
    QComboBox* box = panel->conventionBox();
    box->showPopup();
    QWidget* popup = QApplication::activePopupWidget();
    QVERIFY(popup);
    QTest::keyClick(popup, Qt::Key_Escape);
    QTRY_VERIFY(!QApplication::activePopupWidget());
    QTest::qWait(100);
    QVERIFY(panel->runner()->isRunning());
    QCOMPARE(cancelled.count(), 0);
    panel->cancelRun(); // (Esc reaching the window's shortcut is not simulated offscreen here)
    QTRY_COMPARE_WITH_TIMEOUT(cancelled.count(), 1, 30000);
}

QTEST_MAIN(TestRecipes)
#include "tst_recipes.moc"
