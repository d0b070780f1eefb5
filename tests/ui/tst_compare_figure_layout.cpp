// The Compare figure's layout as a reader relies on it: for one to four methods, laid out in the
// lab's view at the default window (1400x820) and the smallest (1000x700) and exported at scale
// 2, every text item lies inside the figure, unclipped, at the minimum size or more, and clear of
// every other text, the legend and the data areas; the chart has its axis titles and a legend
// entry per method; the figure fills its target (no blank band above or below); and a click at
// the centre of a map's cell picks that patch, where that cell's colour is drawn. The data are
// built by hand (no model): the figure is data in, painter out.
#include "ui/figures/compare_figure.h"
#include "ui/labs/compare/compare_panel.h"
#include "ui/labs/compare/compare_view.h"
#include "ui/shell/main_window.h"
#include "tests/common/figure_checks.h"
#include "tests/common/lab_window.h"

#include <QPainter>
#include <QtTest>

using namespace ts;

namespace {

constexpr int kGrid = 14, kDepth = 12;

// A map whose every cell has its own colour (2 image pixels per cell), so a pixel tells its cell.
QImage cellMap(int seed)
{
    QImage map(2 * kGrid, 2 * kGrid, QImage::Format_RGB32);
    for (int y = 0; y < map.height(); ++y)
        for (int x = 0; x < map.width(); ++x) {
            const int patch = (y / 2) * kGrid + x / 2;
            map.setPixel(x, y, qRgb((patch * 37 + seed * 60) % 256, (patch * 11) % 256, 255 - patch % 196));
        }
    return map;
}

QRgb cellColour(const QImage& map, int patch) { return map.pixel((patch % kGrid) * 2, (patch / kGrid) * 2); }

CompareData handMade(int methods)
{
    static const char* names[] = {"ToMe", "PiToMe", "ATC", "EViT"};
    CompareData d;
    d.depth = kDepth;
    d.grid = kGrid;
    d.layer = 7;
    d.caption[0] = "ViT-Ti/16 (224 px, 12 blocks, width 192), random weights (seed 3)";
    d.caption[1] = "Budget 0.88 GFLOPs = 70.0% of 1.26 (unreduced) · maps after block 7 of 12";
    for (int i = 0; i < methods; ++i) {
        CompareColumn c;
        c.map = cellMap(i);
        c.method = names[i];
        c.title = QStringLiteral("%1 · %2 GFLOPs").arg(names[i]).arg(0.87 + 0.01 * i, 0, 'f', 2);
        c.lines[0] = QStringLiteral("cosine 0.98%1, KL 0.0%2").arg(10 + i).arg(3 + i);
        c.lines[1] = i % 2 ? "top-1 differs" : "top-1 same";
        for (int b = 0; b <= kDepth; ++b)
            c.tokens.push_back(197 - b * (6 + 2 * i));
        d.panels.push_back(c);
    }
    return d;
}

Figure figureOf(const CompareData& d, const QSizeF& size)
{
    Figure f;
    f.size = size;
    f.paint = [d](QPainter& p, const QRectF& r) { paintCompare(p, r, d); };
    return f;
}

// The size the Compare lab's view is given in the window at `window` (the scroll area's viewport).
QSize viewSizeAt(const QSize& window)
{
    MainWindow w;
    auto* panel = test::showLab<ComparePanel>(w, window);
    return panel ? panel->view()->parentWidget()->size() : QSize();
}

} // namespace

class TestCompareFigureLayout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void initTestCase();
    void clean_data();
    void clean();

private:
    QSize m_defaultView, m_smallView;
};

void TestCompareFigureLayout::initTestCase()
{
    QCoreApplication::setOrganizationName("TokenScopeTests");
    m_defaultView = viewSizeAt(QSize(1400, 820));
    m_smallView = viewSizeAt(QSize(1000, 700));
    QVERIFY(m_defaultView.width() > 300 && m_defaultView.height() > 200);
    QVERIFY(m_smallView.width() > 300 && m_smallView.height() > 200);
    QVERIFY(m_smallView.width() < m_defaultView.width());
}

void TestCompareFigureLayout::clean_data()
{
    QTest::addColumn<int>("methods");
    QTest::addColumn<int>("where"); // 0: default view, 1: 1000x700 view, 2: export at scale 2
    for (int n = 1; n <= 4; ++n)
        for (int where = 0; where < 3; ++where)
            QTest::newRow(qPrintable(QStringLiteral("%1 methods, %2").arg(n).arg(where == 0 ? "1400x820" : where == 1 ? "1000x700" : "export x2")))
                << n << where;
}

void TestCompareFigureLayout::clean()
{
    QFETCH(int, methods);
    QFETCH(int, where);
    const CompareData d = handMade(methods);
    const double scale = where == 2 ? 2 : 1;
    const QSizeF size = where == 0 ? QSizeF(m_defaultView) : where == 1 ? QSizeF(m_smallView) : compareNaturalSize(d);
    QRectF bounds;
    QImage image;
    const FigureRecord record = test::recordFigure(figureOf(d, size), scale, &bounds, &image);
    TS_CHECK_FIGURE_LAYOUT(record, bounds, test::FigureCheckOptions{0.75, 11 * scale, true});

    // The chart's axis titles and one legend entry per method (and the block shown).
    QStringList axisTitles, legend;
    double top = bounds.bottom(), bottom = bounds.top();
    for (const PlacedItem& t : record.ofKind(PlacedKind::Text)) {
        if (t.role == TextRole::AxisTitle)
            axisTitles << t.text;
        if (t.role == TextRole::Legend)
            legend << t.text;
        top = std::min(top, t.rect.top());
        bottom = std::max(bottom, t.rect.bottom());
    }
    axisTitles.sort();
    QCOMPARE(axisTitles, QStringList({"block", "tokens"}));
    QCOMPARE(int(legend.size()), methods + 1);
    for (const CompareColumn& c : d.panels)
        QVERIFY2(legend.contains(c.method), qPrintable(legend.join(", ")));
    QCOMPARE(int(record.ofKind(PlacedKind::Data).size()), methods + 1); // the maps and the chart
    // Filled: the first text near the top, the caption near the bottom (no blank band).
    QVERIFY2(top < 40 * scale, qPrintable(QString::number(top)));
    QVERIFY2(bottom > bounds.bottom() - 40 * scale, qPrintable(QString::number(bottom)));

    // A map's cell centre picks that patch, and that cell's colour is drawn there.
    const QRectF target(QPointF(0, 0), size);
    const std::vector<QRectF> maps = compareMapRects(target, d);
    QCOMPARE(int(maps.size()), methods);
    for (int i = 0; i < methods; ++i) {
        QVERIFY(target.contains(maps[std::size_t(i)]));
        QVERIFY2(maps[std::size_t(i)].width() > 60, qPrintable(QString::number(maps[std::size_t(i)].width())));
        for (int patch : {0, kGrid - 1, 5 * kGrid + 6, kGrid * kGrid - 1}) {
            const QRectF& m = maps[std::size_t(i)];
            const QPointF centre(m.left() + (patch % kGrid + 0.5) * m.width() / kGrid, m.top() + (patch / kGrid + 0.5) * m.height() / kGrid);
            QCOMPARE(comparePatchAt(target, d, centre), patch);
            const QRgb drawn = image.pixel((centre * scale).toPoint()), want = cellColour(d.panels[std::size_t(i)].map, patch);
            QVERIFY2(std::abs(qRed(drawn) - qRed(want)) + std::abs(qGreen(drawn) - qGreen(want)) + std::abs(qBlue(drawn) - qBlue(want)) < 24,
                     qPrintable(QStringLiteral("method %1, patch %2").arg(i).arg(patch)));
        }
    }
    QCOMPARE(comparePatchAt(target, d, QPointF(1, 1)), -1);
}

QTEST_MAIN(TestCompareFigureLayout)
#include "tst_compare_figure_layout.moc"
