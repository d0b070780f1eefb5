// The FLOP lab offscreen, inside the real main window: editing the lengths changes the plotted
// series (checked against the analytic model directly), a bad lengths string shows the parser's
// message and keeps the previous chart, the convention and view controls act, hovering reads
// exact values, and the controls survive a session round trip.
#include "core/flops/flop_model.h"
#include "core/flops/flop_presets.h"
#include "tests/common/test_paths.h"
#include "ui/figure_view.h"
#include "ui/flop_panel.h"
#include "ui/main_window.h"

#include <QComboBox>
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
    QCOMPARE(int(panel->report().series.front().points.size()), 11); // 1K..1M doubling

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
    FigureView* view = panel.view();
    const QRectF box = view->figureRect();
    const double sx = box.width() / flopCurveNaturalSize().width();
    // Plot area of the figure: x from 80 to width-200 (natural pixels); the left edge is near
    // the smallest length, the right edge near the largest.
    const QPointF leftPoint(box.left() + 90 * sx, box.center().y());
    const QPointF rightPoint(box.left() + (flopCurveNaturalSize().width() - 210) * sx, box.center().y());
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
    QTest::mouseMove(view, rightPoint.toPoint());
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
    // currentDataJson is what `tokenscope flops --json` writes for the same models and lengths.
    FlopPanel panel;
    panel.lengthsEdit()->setText("1024:65536:x4");
    QTemporaryDir dir;
    const QString out = dir.filePath("flops.json");
    QProcess cli;
    cli.start(ts::test::tokenscopeExecutable(),
              {"flops", "--preset", panel.saveState().value("presets").toVariant().toStringList().join(','), "--lengths",
               "1024:65536:x4", "--json", out});
    QVERIFY(cli.waitForFinished(60000));
    QCOMPARE(cli.exitCode(), 0);
    QFile file(out);
    QVERIFY(file.open(QIODevice::ReadOnly));
    QCOMPARE(QJsonDocument::fromJson(panel.currentDataJson()), QJsonDocument::fromJson(file.readAll()));
}

QTEST_MAIN(TestFlopPanel)
#include "tst_flop_panel.moc"
