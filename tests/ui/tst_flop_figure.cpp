// The FLOP lab's charts inside the real main window: with one chart (curves, ratio, breakdown)
// and with three (curves beside measured time and memory), at the default window (1400x820), the
// smallest supported one (1000x700) and exported at scale 2, every text item Qt Charts placed
// lies inside the figure and overlaps no other text, legend or plot area (tests/common/
// figure_checks.h). The time and memory charts' ranges follow their measured points, coinciding
// series are named, the image's token count is marked, and hovering or a long status never
// resizes the chart. (There is no two-chart view.)
#include "core/flops/flop_presets.h"
#include "tests/common/figure_checks.h"
#include "tests/common/lab_window.h"
#include "ui/figures/flop_charts.h"
#include "ui/labs/flops/flop_chart_view.h"
#include "ui/labs/flops/flop_panel.h"
#include "ui/shell/main_window.h"
#include "ui/widgets/run_status.h"

#include <QCategoryAxis>
#include <QChart>
#include <QComboBox>
#include <QGraphicsScene>
#include <QLabel>
#include <QLineEdit>
#include <QtTest>

#include <cmath>

using namespace ts;

namespace {

// The report with made-up measurements at the three shortest lengths (what a Measure run adds).
FlopReport withMeasurements(FlopReport r)
{
    for (FlopSeries& s : r.series)
        for (std::size_t k = 0; k < s.points.size() && k < 3; ++k) {
            FlopMeasurement& m = s.points[k].measured;
            m.status = MeasureStatus::Ran;
            m.analyticFlops = s.points[k].analytic.total;
            m.flops = m.analyticFlops * 1.001;
            m.seconds = 1e-3 * double(k + 1);
            m.peakMemoryBytes = (100LL << 20) * (k + 1);
        }
    return r;
}

FigureRecord recordScene(const FlopReport& report, const FlopCurveOptions& options, const QSizeF& size, QRectF* bounds)
{
    QGraphicsScene scene;
    const std::vector<QChart*> charts = buildFlopCharts(scene, report, options, size);
    FigureRecord record;
    {
        FigureRecording recording(record);
        recordFlopCharts(charts, scene, QRectF(QPointF(0, 0), size), QRectF(QPointF(0, 0), size));
    }
    *bounds = QRectF(QPointF(0, 0), size);
    return record;
}

} // namespace

class TestFlopFigure : public QObject {
    Q_OBJECT

private Q_SLOTS:
    void nothingClippedOrOverlapping_data();
    void nothingClippedOrOverlapping();
    void runChartsFollowTheirData();
    void coincidingSeriesAreNamed();
    void hoverAndStatusNeverResizeTheChart();
};

void TestFlopFigure::nothingClippedOrOverlapping_data()
{
    QTest::addColumn<int>("mode");
    QTest::addColumn<bool>("measured");
    QTest::addColumn<QSize>("window");
    for (const QSize size : {QSize(1400, 820), QSize(1000, 700)}) {
        const QString s = QString("%1x%2").arg(size.width()).arg(size.height());
        QTest::newRow(qPrintable("curves " + s)) << 0 << false << size;
        QTest::newRow(qPrintable("curves + time + memory " + s)) << 0 << true << size;
        QTest::newRow(qPrintable("ratio " + s)) << 1 << false << size;
        QTest::newRow(qPrintable("breakdown " + s)) << 2 << false << size;
    }
}

void TestFlopFigure::nothingClippedOrOverlapping()
{
    QFETCH(int, mode);
    QFETCH(bool, measured);
    QFETCH(QSize, window);
    MainWindow w;
    auto* panel = test::showLab<FlopPanel>(w, window);
    QVERIFY(panel);
    panel->modeBox()->setCurrentIndex(mode);
    const QSizeF size = panel->view()->chartSize();
    QVERIFY(size.width() >= 400);
    FlopCurveOptions options;
    options.mode = FlopChartMode(mode == 1 ? FlopChartMode::Ratio : mode == 2 ? FlopChartMode::Breakdown : FlopChartMode::Curves);
    options.markLength = panel->markedLength();
    options.markLabel = flopMarkLabel(options.markLength);
    const FlopReport report = measured ? withMeasurements(panel->report()) : panel->report();
    // On screen: the charts as the view lays them out.
    QRectF bounds;
    const FigureRecord screen = recordScene(report, options, size, &bounds);
    QCOMPARE(int(screen.ofKind(PlacedKind::Data).size()), measured ? 3 : 1);
    // Qt Charts sets an axis title flush against its tick labels: their boxes (which include the
    // glyphs' side bearings) may share a pixel.
    TS_CHECK_FIGURE_LAYOUT(screen, bounds, test::FigureCheckOptions{1.5, 11, true});
    // Exported at scale 2 (the figure leaves the run charts to the data export).
    options.showRunCharts = false;
    const FigureRecord exported = test::recordFigure(flopCurveFigure(report, options, QString(), size), 2.0, &bounds);
    TS_CHECK_FIGURE_LAYOUT(exported, bounds, test::FigureCheckOptions{1.5, 22, true});
    if (mode == 0) { // the image's token count is marked and named
        bool named = false;
        for (const PlacedItem& t : exported.items)
            named = named || t.text.contains("image: 197 tokens");
        QVERIFY(named);
    }
}

void TestFlopFigure::runChartsFollowTheirData()
{
    FlopPanel panel;
    panel.lengthsEdit()->setText("1024:1048576:x2");
    const FlopReport report = withMeasurements(panel.report()); // measured at 1K, 2K and 4K only
    QGraphicsScene scene;
    const std::vector<QChart*> charts = buildFlopCharts(scene, report, FlopCurveOptions(), QSizeF(1200, 700));
    QCOMPARE(int(charts.size()), 3);
    for (std::size_t c = 1; c < 3; ++c) {
        auto* x = qobject_cast<QCategoryAxis*>(charts[c]->axes(Qt::Horizontal).front());
        QVERIFY(x);
        // log2 1024 = 10 to log2 4096 = 12, padded a little; not out to 1M (20).
        QVERIFY2(x->min() > 9.5 && x->max() < 12.5, qPrintable(QString("%1..%2").arg(x->min()).arg(x->max())));
    }
    auto* mainX = qobject_cast<QCategoryAxis*>(charts[0]->axes(Qt::Horizontal).front());
    QVERIFY(mainX->max() > 19.5);
}

void TestFlopFigure::coincidingSeriesAreNamed()
{
    // ToMe with r = 0 is the plain ViT: the two curves lie on each other, and the title says so.
    FlopPanel panel;
    FlopReport report = panel.report();
    report.series.push_back(report.series.front());
    report.series.back().spec.name = "copy";
    QGraphicsScene scene;
    const std::vector<QChart*> charts = buildFlopCharts(scene, report, FlopCurveOptions(), QSizeF(1000, 640));
    QVERIFY2(charts.front()->title().contains("Coinciding") && charts.front()->title().contains(QString::fromStdString(report.series.front().spec.name) + " = copy"),
             qPrintable(charts.front()->title()));
    QGraphicsScene plain;
    QVERIFY(!buildFlopCharts(plain, panel.report(), FlopCurveOptions(), QSizeF(1000, 640)).front()->title().contains("Coinciding"));
}

void TestFlopFigure::hoverAndStatusNeverResizeTheChart()
{
    MainWindow w;
    auto* panel = test::showLab<FlopPanel>(w, QSize(1000, 700));
    QVERIFY(panel);
    const QSize before = panel->view()->size();
    const QRectF plot = panel->view()->charts().front()->plotArea();
    QTest::mouseMove(panel->view()->viewport(), plot.center().toPoint());
    QTRY_VERIFY(!panel->readoutText().isEmpty());
    QVERIFY(panel->readoutText().count('\n') >= 4); // one line per model: more than fit unscrolled
    QCOMPARE(panel->view()->size(), before);
    panel->runStatus()->setMessage(QString("Measured 12 points in 3.4 s; ").repeated(12));
    QApplication::processEvents();
    QCOMPARE(panel->view()->size(), before);
}

QTEST_MAIN(TestFlopFigure)
#include "tst_flop_figure.moc"
