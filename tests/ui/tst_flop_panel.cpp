// The FLOP lab offscreen, inside the real main window: editing the lengths changes the plotted
// series (checked against the analytic model directly), a bad lengths string shows the parser's
// message and keeps the previous chart, the convention and view controls act, hovering reads
// exact values, the controls survive a session round trip, screen / export / command line draw the
// same picture, and measuring runs in the background (progress, cancel, too-large marked).
#include "core/flops/flop_model.h"
#include "core/flops/flop_presets.h"
#include "tests/common/test_paths.h"
#include "ui/labs/flops/flop_chart_view.h"
#include "ui/labs/flops/flop_model_editor.h"
#include "core/flops/flop_config.h"
#include "ui/jobs/job_runner.h"
#include "ui/widgets/run_status.h"
#include "ui/labs/flops/flop_panel.h"
#include "ui/shell/main_window.h"

#include <QChart>
#include <QComboBox>
#include <QDialogButtonBox>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QJsonDocument>
#include <QProcess>
#include <QTemporaryDir>
#include <QLineEdit>
#include <QListWidget>
#include <QTabWidget>
#include <QtTest>

using namespace ts;

class TestFlopPanel : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void lengthsEditChangesTheSeries();
    void badLengthsKeepTheChart();
    void conventionAndViews();
    void hoverReadsExactValues();
    void stateRoundTrip();
    void jsonMatchesTheCommandLine();
    void screenExportAndCommandLineAgree();
    void measureInTheBackground();
    void cancelMeasureKeepsTheChart();
    void customModelsFromAConfigFile();
    void modelEditorChecksAsYouType();
};

namespace {

QImage render(const FlopPanel& panel)
{
    const std::optional<Figure> f = panel.currentFigure();
    return f ? renderFigure(*f) : QImage();
}

} // namespace

void TestFlopPanel::lengthsEditChangesTheSeries()
{
    MainWindow w;
    FlopPanel* panel = w.findChild<FlopPanel*>();
    QVERIFY(panel);
    QCOMPARE(w.tabs()->tabText(w.tabs()->indexOf(panel)), QString("FLOPs"));
    w.tabs()->setCurrentWidget(panel);
    w.resize(1400, 900);
    w.show();
    QVERIFY(QTest::qWaitForWindowExposed(&w));
    QVERIFY(panel->currentFigure().has_value());
    const QByteArray before = panel->currentDataJson();
    const QImage imageBefore = render(*panel);
    QVERIFY(!before.isEmpty());
    // The default lengths are ViT patch counts, 196 (224 px) to 16K (2048 px); one click gives 1K-1M.
    std::vector<long long> lengths;
    for (const FlopPoint& p : panel->report().series.front().points)
        lengths.push_back(p.length);
    QCOMPARE(lengths, (std::vector<long long>{196, 576, 1024, 2304, 4096, 9216, 16384}));
    QCOMPARE(int(panel->rangeButtons().size()), 2);
    panel->rangeButtons()[1]->click();
    QCOMPARE(int(panel->report().series.front().points.size()), 11); // 1K..1M doubling
    QCOMPARE(panel->report().series.front().points.back().length, 1048576LL);
    panel->rangeButtons()[0]->click();
    QCOMPARE(panel->report().series.front().points.front().length, 196LL);
    // The workspace's model (ViT-S/16 at 224 px) marks its 197 tokens on the chart and in the command.
    QCOMPARE(panel->markedLength(), 197LL);
    QVERIFY2(panel->currentFigure()->command.contains("--mark-length 197"), qPrintable(panel->currentFigure()->command));

    panel->lengthsEdit()->setText("1024,4096");
    QVERIFY(panel->errorText().isEmpty());
    const QByteArray after = panel->currentDataJson();
    QVERIFY(after != before);
    QVERIFY(render(*panel) != imageBefore);
    // The JSON is what `tokenscope flops --json` writes: read it back and check every point
    // against the analytic model called directly.
    const FlopReport report = flopReportFromJson(after.toStdString());
    QVERIFY(report.series.size() >= 2);
    for (const FlopSeries& s : report.series) {
        QCOMPARE(int(s.points.size()), 2);
        QCOMPARE(s.points[0].length, 1024LL);
        QCOMPARE(s.points[1].length, 4096LL);
        const ArchSpec spec = flopPreset(s.spec.name);
        for (const FlopPoint& p : s.points)
            QCOMPARE(p.analytic.total, countFlops(spec, p.length).total);
    }
    // Checking one more model adds a series.
    const int before2 = int(panel->report().series.size());
    QListWidget* list = panel->presetList();
    for (int i = 0; i < list->count(); ++i)
        if (list->item(i)->text() == "gpt3-350m")
            list->item(i)->setCheckState(Qt::Checked);
    QCOMPARE(int(panel->report().series.size()), before2 + 1);
    QVERIFY(panel->currentFigure()->command.contains("gpt3-350m"));
}

void TestFlopPanel::badLengthsKeepTheChart()
{
    FlopPanel panel;
    panel.lengthsEdit()->setText("1024:65536:x4");
    const QByteArray good = panel.currentDataJson();
    const QImage image = render(panel);
    for (const char* bad : {"1024:banana", "0,16", "", "4096:1024:x2"}) {
        panel.lengthsEdit()->setText(bad);
        QVERIFY2(panel.errorText().startsWith("lengths:"), qPrintable(QString(bad) + " -> " + panel.errorText()));
        QCOMPARE(panel.currentDataJson(), good);
        QCOMPARE(render(panel), image);
    }
    // No model checked: a message, the chart stays.
    QListWidget* list = panel.presetList();
    for (int i = 0; i < list->count(); ++i)
        list->item(i)->setCheckState(Qt::Unchecked);
    QVERIFY(!panel.errorText().isEmpty());
    QCOMPARE(panel.currentDataJson(), good);
    list->item(0)->setCheckState(Qt::Checked);
    panel.lengthsEdit()->setText("1024:65536:x4");
    QVERIFY(panel.errorText().isEmpty());
    QCOMPARE(int(panel.report().series.size()), 1);
}

void TestFlopPanel::conventionAndViews()
{
    FlopPanel panel;
    panel.lengthsEdit()->setText("256,1024");
    const double full = panel.report().series.front().points.back().analytic.total;
    panel.conventionBox()->setCurrentIndex(panel.conventionBox()->findData("macs"));
    QCOMPARE(panel.report().series.front().points.back().analytic.total, full / 2); // 1 MAC = 2 FLOPs
    QVERIFY(panel.currentFigure()->command.contains("--convention macs"));

    const QImage curves = render(panel);
    panel.modeBox()->setCurrentIndex(1); // ratio
    QVERIFY(panel.referenceBox()->isEnabled());
    const QImage ratio = render(panel);
    QVERIFY(ratio != curves);
    panel.referenceBox()->setCurrentIndex(1);
    QVERIFY(render(panel) != ratio);
    QVERIFY(panel.currentFigure()->command.contains("--baseline " + panel.referenceBox()->currentText()));
    panel.modeBox()->setCurrentIndex(2); // breakdown
    QVERIFY(panel.currentFigure()->recipeJson.contains("\"breakdown\""));
    QVERIFY(panel.currentFigure()->command.contains("--breakdown-model"));
}

void TestFlopPanel::hoverReadsExactValues()
{
    FlopPanel panel;
    panel.lengthsEdit()->setText("1024,1048576");
    panel.resize(1300, 800);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    FlopChartView* view = panel.view();
    QVERIFY(!view->charts().empty());
    // The chart sits at the scene origin and the view shows the scene unscrolled, so the plot
    // area in chart coordinates is where it is in the viewport.
    const QRectF plot = view->charts().front()->plotArea();
    const QPointF leftPoint(plot.left() + 8, plot.center().y());
    const QPointF rightPoint(plot.right() - 8, plot.center().y());
    const QRectF box(QPointF(0, 0), view->chartSize());
    const QString left = panel.readoutAt(leftPoint), right = panel.readoutAt(rightPoint);
    QVERIFY2(left.startsWith("L = 1024\n"), qPrintable(left));
    QVERIFY2(right.startsWith("L = 1048576\n"), qPrintable(right));
    const FlopSeries& s = panel.report().series.front();
    QVERIFY(left.contains(QString::fromStdString(s.spec.name)));
    QVERIFY(left.contains(QString::number(s.points[0].analytic.total, 'g', 12)));
    QVERIFY(panel.readoutAt(QPointF(box.left() + 2, box.top() + 2)).isEmpty()); // the title, not the plot
    // Ratio view: the baseline is x1 of itself.
    panel.modeBox()->setCurrentIndex(1);
    QVERIFY(panel.readoutAt(rightPoint).contains(QString(", x1 of %1").arg(QString::fromStdString(s.spec.name))));
    // A mouse move over the view shows the same text below it.
    QTest::mouseMove(view->viewport(), rightPoint.toPoint());
    QTRY_VERIFY2(panel.readoutText().startsWith("L = 1048576"), qPrintable(panel.readoutText()));
}

void TestFlopPanel::stateRoundTrip()
{
    FlopPanel a;
    a.lengthsEdit()->setText("2048:32768:x2");
    a.conventionBox()->setCurrentIndex(a.conventionBox()->findData("training"));
    a.modeBox()->setCurrentIndex(2);
    a.referenceBox()->setCurrentIndex(2);
    const QJsonObject state = a.saveState();
    FlopPanel b;
    b.restoreState(state);
    QCOMPARE(b.saveState(), state);
    QCOMPARE(b.currentDataJson(), a.currentDataJson());
    QCOMPARE(b.currentFigure()->command, a.currentFigure()->command);
}

void TestFlopPanel::jsonMatchesTheCommandLine()
{
    // currentDataJson / currentDataCsv are what `tokenscope flops --json / --csv` write for the
    // same models and lengths.
    FlopPanel panel;
    panel.lengthsEdit()->setText("1024:65536:x4");
    QTemporaryDir dir;
    const QString out = dir.filePath("flops.json"), csv = dir.filePath("flops.csv");
    QProcess cli;
    cli.start(ts::test::tokenscopeExecutable(),
              {"flops", "--preset", panel.saveState().value("presets").toVariant().toStringList().join(','), "--lengths",
               "1024:65536:x4", "--json", out, "--csv", csv});
    QVERIFY(cli.waitForFinished(60000));
    QCOMPARE(cli.exitCode(), 0);
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(panel.currentDataJson()), QJsonDocument::fromJson(file.readAll()));
    QFile table(csv);
    QVERIFY(table.open(QIODevice::ReadOnly));
    QCOMPARE(panel.currentDataCsv(), table.readAll());
}

void TestFlopPanel::screenExportAndCommandLineAgree()
{
    // One renderer: the view on screen, the exported figure and `tokenscope flops --out` for the
    // same settings are the same picture, pixel for pixel.
    FlopPanel panel;
    panel.lengthsEdit()->setText("1024:1048576:x2");
    panel.view()->setFixedSize(960, 600);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QCOMPARE(panel.view()->chartSize(), QSizeF(960, 600));
    const std::optional<Figure> figure = panel.currentFigure();
    QVERIFY(figure);
    QCOMPARE(figure->size, QSizeF(960, 600));
    const QImage exported = renderFigure(*figure).convertToFormat(QImage::Format_RGB32);
    const QImage screen = panel.view()->viewport()->grab().toImage().convertToFormat(QImage::Format_RGB32);
    QCOMPARE(screen.size(), exported.size());
    QCOMPARE(screen, exported);

    QTemporaryDir dir;
    const QString png = dir.filePath("cli.png");
    QStringList args = QProcess::splitCommand(figure->command).mid(1);
    args << "--out" << png;
    QProcess cli;
    cli.start(ts::test::tokenscopeExecutable(), args);
    QVERIFY(cli.waitForFinished(60000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    QCOMPARE(QImage(png).convertToFormat(QImage::Format_RGB32), exported);
}

void TestFlopPanel::measureInTheBackground()
{
    // A small model at two lengths that run and one whose memory estimate cannot fit: the two are
    // measured by the app's own forward pass (FLOPs within 1 % of the analytic count, seconds and
    // memory recorded), the third is marked too large and not run; the chart gains the time and
    // memory charts and the readout, data and command say so.
    FlopPanel panel;
    QListWidget* list = panel.presetList();
    for (int i = 0; i < list->count(); ++i)
        list->item(i)->setCheckState(list->item(i)->text() == "vit-ti16" ? Qt::Checked : Qt::Unchecked);
    panel.lengthsEdit()->setText("64,256,4194304");
    panel.measureLimitBox()->setCurrentIndex(panel.measureLimitBox()->findData(0LL)); // every length
    panel.resize(1300, 800);
    panel.show();
    QVERIFY(QTest::qWaitForWindowExposed(&panel));
    QCOMPARE(int(panel.view()->charts().size()), 1);
    const QImage before = render(panel);

    QSignalSpy finished(panel.runner(), &JobRunner::finished);
    QSignalSpy progress(panel.runner(), &JobRunner::progress);
    QTest::mouseClick(panel.measureButton(), Qt::LeftButton);
    QVERIFY(!panel.measureButton()->isEnabled()); // one measurement at a time
    QVERIFY(finished.wait(120000));
    QVERIFY(!progress.isEmpty());
    QVERIFY(panel.measureButton()->isEnabled());

    const FlopSeries s = panel.report().series.front(); // a copy: later edits recompute the report
    QCOMPARE(s.spec.name, std::string("vit-ti16"));
    for (int k : {0, 1}) {
        const FlopMeasurement& m = s.points[std::size_t(k)].measured;
        QCOMPARE(m.status, MeasureStatus::Ran);
        QVERIFY2(std::abs(m.relativeError()) < 0.01, qPrintable(QString::number(m.relativeError())));
        QVERIFY(m.seconds > 0);
        QVERIFY(m.peakMemoryBytes > 0);
    }
    QCOMPARE(s.points[2].measured.status, MeasureStatus::TooLarge);
    QVERIFY(s.points[2].measured.estimatedMemoryBytes > 0);
    QCOMPARE(int(panel.view()->charts().size()), 3); // FLOPs, seconds, memory
    QVERIFY(render(panel) != before);
    QVERIFY2(panel.runStatus()->messageLabel()->text().contains("Measured 2 points"),
             qPrintable(panel.runStatus()->messageLabel()->text()));
    QVERIFY(panel.readoutForPoint(0).contains("measured"));
    QVERIFY(panel.readoutForPoint(2).contains("not run"));
    QVERIFY(panel.currentFigure()->command.contains("--measure"));
    const QJsonObject data = QJsonDocument::fromJson(panel.currentDataJson()).object();
    const QJsonArray points = data["architectures"].toObject()["vit-ti16"].toArray();
    QCOMPARE(points.size(), 3);
    QVERIFY(points[0].toObject().contains("measured_flops"));
    QCOMPARE(points[2].toObject()["measure_status"].toString(), QString("too_large"));

    // A new convention rescales the measured points with the curve, without running again.
    panel.conventionBox()->setCurrentIndex(panel.conventionBox()->findData("macs"));
    QCOMPARE(panel.report().series.front().points[0].measured.status, MeasureStatus::Ran);

    // Sessions keep the measurements.
    FlopPanel reopened;
    reopened.restoreState(panel.saveState());
    QCOMPARE(reopened.currentDataJson(), panel.currentDataJson());
    QCOMPARE(reopened.report().series.front().points[1].measured.seconds, s.points[1].measured.seconds);

    panel.clearMeasurements();
    QCOMPARE(panel.report().series.front().points[0].measured.status, MeasureStatus::NotRequested);
    QCOMPARE(int(panel.view()->charts().size()), 1);
}

void TestFlopPanel::cancelMeasureKeepsTheChart()
{
    FlopPanel panel;
    panel.lengthsEdit()->setText("1024:4096:x2");
    panel.measureLimitBox()->setCurrentIndex(panel.measureLimitBox()->findData(4096LL));
    const QByteArray data = panel.currentDataJson();
    const QImage image = render(panel);
    QSignalSpy started(panel.runner(), &JobRunner::started);
    QSignalSpy cancelled(panel.runner(), &JobRunner::cancelled);
    QSignalSpy progress(panel.runner(), &JobRunner::progress);
    panel.startMeasure();
    QVERIFY(progress.wait(60000)); // in flight
    QElapsedTimer clock;
    clock.start();
    QTest::mouseClick(panel.runStatus()->cancelButton(), Qt::LeftButton);
    QCOMPARE(cancelled.count(), 1); // the runner says so at once; the job stops at its next check
    QTRY_VERIFY_WITH_TIMEOUT(!panel.runner()->isRunning(), 10000);
    qInfo("the measurement stopped %lld ms after cancel", clock.elapsed());
    QVERIFY(panel.measureButton()->isEnabled());
    QVERIFY(panel.runStatus()->messageLabel()->text().contains("Cancelled"));
    QCOMPARE(panel.currentDataJson(), data);
    QCOMPARE(render(panel), image);
    // Still usable: edits redraw at once.
    panel.lengthsEdit()->setText("1024,2048");
    QCOMPARE(int(panel.report().series.front().points.size()), 2);
}

void TestFlopPanel::customModelsFromAConfigFile()
{
    QTemporaryDir dir;
    const QString config = dir.filePath("mine.json");
    {
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(R"({"models": [{"preset": "fit-13b", "name": "fit-13b-g1024", "group_size": 1024},
                               {"name": "tiny-fam", "architecture": "fam", "depth": 2, "width": 64, "heads": 2,
                                "block": 128, "memory": 1, "fam_length": 8}]})");
    }
    FlopPanel panel;
    panel.lengthsEdit()->setText("4096,65536");
    const int before = int(panel.report().series.size());
    QVERIFY2(panel.loadConfigFile(config), qPrintable(panel.errorText()));
    QCOMPARE(int(panel.report().series.size()), before + 2);
    const FlopSeries& fit = panel.report().series[std::size_t(before)];
    QCOMPARE(fit.spec.name, std::string("fit-13b-g1024"));
    QCOMPARE(fit.spec.groupSize, 1024);
    QCOMPARE(fit.points[1].analytic.total, countFlops(fit.spec, 65536).total);

    // The figure names the config file in its command and carries the models in its recipe; the
    // command line run on those models gives the same data as the panel.
    const Figure figure = *panel.currentFigure();
    QVERIFY2(figure.command.contains("--config flop_models.json"), qPrintable(figure.command));
    const QJsonObject recipe = QJsonDocument::fromJson(figure.recipeJson.toUtf8()).object();
    QVERIFY(recipe["custom_models_config"].isObject()); // the lab's settings carry the models' file
    {
        QFile f(dir.filePath("flop_models.json"));
        QVERIFY(f.open(QIODevice::WriteOnly));
        f.write(QJsonDocument(recipe["custom_models_config"].toObject()).toJson());
    }
    QStringList args = QProcess::splitCommand(figure.command).mid(1);
    args << "--json" << dir.filePath("cli.json");
    QProcess cli;
    cli.setWorkingDirectory(dir.path());
    cli.start(ts::test::tokenscopeExecutable(), args);
    QVERIFY(cli.waitForFinished(60000));
    QVERIFY2(cli.exitCode() == 0, cli.readAllStandardError().constData());
    QFile out(dir.filePath("cli.json"));
    QVERIFY(out.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(out.readAll()), QJsonDocument::fromJson(panel.currentDataJson()));

    // Sessions keep custom models (and which are checked).
    FlopPanel reopened;
    reopened.restoreState(panel.saveState());
    QCOMPARE(int(reopened.customModels().size()), 2);
    QCOMPARE(reopened.currentDataJson(), panel.currentDataJson());

    // A preset's name is refused; a bad file names the field; nothing changes.
    const QByteArray data = panel.currentDataJson();
    for (const QByteArray& bad : {QByteArray(R"({"preset": "vit-b16"})"), QByteArray(R"({"preset": "vit-b16", "name": "x", "heads": 7})"),
                                  QByteArray("{not json")}) {
        QFile f(config);
        QVERIFY(f.open(QIODevice::WriteOnly | QIODevice::Truncate));
        f.write(bad);
        f.close();
        QVERIFY(!panel.loadConfigFile(config));
        QVERIFY(!panel.errorText().isEmpty());
        QCOMPARE(panel.currentDataJson(), data);
    }
    QVERIFY(panel.errorText().contains("mine.json"));
    panel.removeCustomModel("tiny-fam");
    QCOMPARE(int(panel.report().series.size()), before + 1);
}

void TestFlopPanel::modelEditorChecksAsYouType()
{
    const ArchSpec start = flopPreset("vit-b16");
    FlopModelEditor editor(start, [](const std::string& name) { return name == "vit-b16" || name == "taken"; });
    auto ok = [&] { return editor.findChild<QDialogButtonBox*>()->button(QDialogButtonBox::Ok)->isEnabled(); };
    // Starts from the preset under a free name, valid.
    QVERIFY(editor.textEdit()->toPlainText().contains("vit-b16-custom"));
    QVERIFY(editor.isValid());
    QVERIFY(ok());
    QCOMPARE(editor.spec().width, 768);

    nlohmann::json j = archSpecToJson(editor.spec());
    j["heads"] = 7; // does not divide 768
    editor.textEdit()->setPlainText(QString::fromStdString(j.dump()));
    QVERIFY(!editor.isValid());
    QVERIFY(!ok());
    QVERIFY2(editor.messageLabel()->text().contains("heads"), qPrintable(editor.messageLabel()->text()));

    j["heads"] = 8;
    j["name"] = "taken";
    editor.textEdit()->setPlainText(QString::fromStdString(j.dump()));
    QVERIFY(!editor.isValid());
    QVERIFY(editor.messageLabel()->text().contains("already used"));

    j["name"] = "b16-wide";
    j["width"] = 1024;
    editor.textEdit()->setPlainText(QString::fromStdString(j.dump()));
    QVERIFY2(editor.isValid(), qPrintable(editor.messageLabel()->text()));
    QVERIFY(ok());
    QCOMPARE(editor.spec().width, 1024);
    QCOMPARE(editor.spec().heads, 8);
    // The accepted model is what the FLOP model counts for those sizes.
    FlopPanel panel;
    panel.addCustomModels({editor.spec()});
    QCOMPARE(panel.report().series.back().spec.name, std::string("b16-wide"));
    QVERIFY(panel.report().series.back().points.front().analytic.total
            > countFlops(start, panel.report().series.back().points.front().length).total);
}

QTEST_MAIN(TestFlopPanel)
#include "tst_flop_panel.moc"
