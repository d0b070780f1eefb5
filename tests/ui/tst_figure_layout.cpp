// The shared figure layout (ui/figures/figure_layout.h): for 1 to 3 panels with long titles,
// axis titles, tick labels, colour bars, statistics, a legend and a caption, at the default and
// smallest window sizes and at export scale 2, nothing is clipped, outside or overlapping; the
// check itself catches overlaps and clipping.
#include "tests/common/figure_checks.h"
#include "ui/figures/figure_layout.h"
#include "ui/figures/figure_record.h"
#include "ui/widgets/figure_view.h"
#include "ui/widgets/lab_layout.h"

#include <QPainter>
#include <QScrollArea>
#include <QScrollBar>
#include <QTest>

using namespace ts;

namespace {

FigureSpec sampleSpec(int panels)
{
    FigureSpec spec;
    spec.title = "Attention masks compared at the same data tokens";
    for (int i = 0; i < panels; ++i) {
        PanelSpec p;
        p.title = QString("FAM 6 blocks of 64 tokens, memory 2 segments, panel %1").arg(i + 1);
        p.xTitle = "key token";
        p.yTitle = "query token";
        p.xTickLabels = QStringList{"0", "3000"};
        p.yTickLabels = p.xTickLabels;
        p.colourBar = colourBarFor(0.0, 1.0, 1.0 / 16, "1/n = 1/16");
        p.aspect = 1;
        p.statistics = QStringList{"allowed pairs 1,234,567 (12.3 % of dense)", "QK^T 1.2 GFLOP, AV 1.2 GFLOP at width 384; computes 2,345,678 token pairs (23.4 %)"};
        spec.panels.push_back(p);
    }
    spec.legend = {{"token", Qt::blue}, {"current block", Qt::red}, {"memory segment", Qt::green}, {"FAM", Qt::magenta},
                   {"shade: share of allowed pairs per pixel", Qt::gray}};
    spec.caption = QStringList{"Panels aligned by data token: FAM's own tokens are left out, so every panel shows the same data tokens."};
    return spec;
}

Figure sampleFigure(const FigureSpec& spec, const QSizeF& size)
{
    Figure f;
    f.size = size;
    f.paint = [spec](QPainter& p, const QRectF& target) {
        const FigureBoxes b = layoutFigure(spec, target);
        for (const PanelBoxes& panel : b.panels) {
            p.fillRect(panel.data, QColor(200, 220, 240));
            // Round ticks, as many as fit.
            for (double v : roundTicks(0, 3072, ticksThatFit(panel.data.width(), tickLabelWidth("3,072"))))
                paintXTick(p, panel, panel.data.left() + v / 3072 * panel.data.width(), QString::number(v));
            for (double v : roundTicks(0, 3072, ticksThatFit(panel.data.height(), tickLabelHeight())))
                paintYTick(p, panel, panel.data.top() + v / 3072 * panel.data.height(), QString::number(v));
        }
        paintFigureFrame(p, b, spec);
    };
    return f;
}

} // namespace

class TestFigureLayout : public QObject {
    Q_OBJECT
private Q_SLOTS:
    void cleanAtEverySize_data()
    {
        QTest::addColumn<int>("panels");
        QTest::addColumn<QSizeF>("size");
        QTest::addColumn<double>("scale");
        for (int n = 1; n <= 3; ++n) {
            QTest::newRow(qPrintable(QString("%1 panels, default").arg(n))) << n << QSizeF(1100, 640) << 1.0;
            QTest::newRow(qPrintable(QString("%1 panels, smallest").arg(n))) << n << QSizeF(720, 480) << 1.0;
            QTest::newRow(qPrintable(QString("%1 panels, export x2").arg(n))) << n << QSizeF(1100, 640) << 2.0;
            QTest::newRow(qPrintable(QString("%1 panels, wide").arg(n))) << n << QSizeF(1600, 700) << 1.0;
            QTest::newRow(qPrintable(QString("%1 panels, tall").arg(n))) << n << QSizeF(640, 1400) << 1.0;
            QTest::newRow(qPrintable(QString("%1 panels, square").arg(n))) << n << QSizeF(1000, 1000) << 1.0;
            QTest::newRow(qPrintable(QString("%1 panels, tall x2").arg(n))) << n << QSizeF(640, 1400) << 2.0;
        }
    }
    void cleanAtEverySize()
    {
        QFETCH(int, panels);
        QFETCH(QSizeF, size);
        QFETCH(double, scale);
        QRectF bounds;
        const FigureRecord record = test::recordFigure(sampleFigure(sampleSpec(panels), size), scale, &bounds);
        TS_CHECK_FIGURE_LAYOUT(record, bounds, test::FigureCheckOptions{0.75, 11 * scale, true});
        // Every panel title, axis title, statistic, legend entry and colour bar end is there.
        QCOMPARE(int(record.ofKind(PlacedKind::Data).size()), panels);
        QCOMPARE(int(record.ofKind(PlacedKind::Legend).size()), 1);
        int titles = 0, legend = 0;
        for (const PlacedItem& t : record.items)
            titles += t.role == TextRole::PanelTitle, legend += t.role == TextRole::Legend;
        QCOMPARE(titles, panels);
        QCOMPARE(legend, 5);
    }

    void dataAreasShareOneSizeAndFillTheWidth()
    {
        const FigureSpec spec = sampleSpec(3);
        const FigureBoxes b = layoutFigure(spec, QRectF(0, 0, 1400, 700));
        QCOMPARE(b.panels.size(), std::size_t(3));
        QCOMPARE(b.panels[1].data.size(), b.panels[0].data.size());
        QCOMPARE(b.panels[1].data.top(), b.panels[0].data.top());
        QVERIFY(b.panels[0].data.width() > 250);
        // A larger target gives larger data areas: the figure scales with the window.
        QVERIFY(layoutFigure(spec, QRectF(0, 0, 1800, 900)).panels[0].data.width() > b.panels[0].data.width());
        // figureSizeFor reaches the asked data size.
        const QSizeF natural = figureSizeFor(sampleSpec(2), QSizeF(400, 400));
        const QSizeF got = layoutFigure(sampleSpec(2), QRectF(QPointF(0, 0), natural)).panels[0].data.size();
        QVERIFY2(got.width() >= 399 && got.height() >= 399, qPrintable(QString("%1 x %2").arg(got.width()).arg(got.height())));
    }

    // Automatic rows: side by side in a wide target, stacked in a tall one, and never smaller
    // data areas than a fixed arrangement gives.
    void automaticRowsGiveTheLargestData_data()
    {
        QTest::addColumn<int>("panels");
        QTest::addColumn<QSizeF>("size");
        QTest::addColumn<int>("expectedRows");
        for (int n = 2; n <= 3; ++n) {
            QTest::newRow(qPrintable(QString("%1 panels, wide").arg(n))) << n << QSizeF(1600, 700) << 1;
            QTest::newRow(qPrintable(QString("%1 panels, tall").arg(n))) << n << QSizeF(600, 1500) << n;
            QTest::newRow(qPrintable(QString("%1 panels, square").arg(n))) << n << QSizeF(1000, 1000) << 0;
        }
    }
    void automaticRowsGiveTheLargestData()
    {
        QFETCH(int, panels);
        QFETCH(QSizeF, size);
        QFETCH(int, expectedRows);
        FigureSpec spec = sampleSpec(panels);
        const QRectF target(QPointF(0, 0), size);
        const int chosen = figureRows(spec, target);
        if (expectedRows > 0)
            QCOMPARE(chosen, expectedRows);
        const QSizeF automatic = layoutFigure(spec, target).panels.at(0).data.size();
        for (int k = 1; k <= panels; ++k) {
            spec.rows = k;
            const FigureBoxes fixed = layoutFigure(spec, target);
            const QSizeF d = fixed.panels.at(0).data.size();
            QVERIFY2(automatic.width() * automatic.height() >= d.width() * d.height() - 1e-6,
                     qPrintable(QString("%1 rows give %2 x %3, automatic %4 x %5").arg(k).arg(d.width()).arg(d.height()).arg(automatic.width()).arg(automatic.height())));
            for (const PanelBoxes& p : fixed.panels) // every panel shares the data size and stays in the target
                QVERIFY(p.data.size() == d && target.contains(p.frame));
        }
        // A natural size (one row) lays out as one row, so exports are unchanged.
        spec.rows = 0;
        QCOMPARE(figureRows(spec, QRectF(QPointF(0, 0), figureSizeFor(spec, QSizeF(300, 300)))), 1);
    }

    // Titles of one row start at one height though only one panel has a colour bar (and its
    // end labels need room above the data).
    void titlesInARowShareTheirTop()
    {
        FigureSpec spec = sampleSpec(3);
        for (PanelSpec& p : spec.panels)
            p.colourBar.reset(), p.yTickLabels.clear(), p.yTitle.clear();
        spec.panels[1].colourBar = colourBarFor(0.0, 1.0, -1, QString());
        for (int rows : {1, 3}) {
            spec.rows = rows;
            const FigureBoxes b = layoutFigure(spec, QRectF(0, 0, 1400, 1400));
            for (std::size_t i = 1; i < b.panels.size(); ++i)
                if (rows == 1)
                    QCOMPARE(b.panels[i].title.top(), b.panels[0].title.top());
                else
                    QVERIFY(b.panels[i].title.top() > b.panels[i - 1].statistics.bottom());
        }
    }

    // Below the size at which the data areas stay usable a filled view keeps that size and its
    // scroll area scrolls, instead of shrinking the figure until its text no longer fits.
    void tooSmallAWindowScrolls()
    {
        const FigureSpec spec = sampleSpec(3);
        const QSizeF usable = usableFigureSize(spec);
        const FigureBoxes atUsable = layoutFigure(spec, QRectF(QPointF(0, 0), usable));
        for (const PanelBoxes& p : atUsable.panels)
            QVERIFY2(std::min(p.data.width(), p.data.height()) >= 119, qPrintable(QString::number(p.data.width())));
        QWidget window;
        auto* view = new FigureView;
        view->setFillsView(true);
        view->setFillMinimum(usable);
        view->setFigure(sampleFigure(spec, usable));
        QScrollArea* area = scrollingView(view, &window);
        area->setGeometry(0, 0, 400, 300);
        window.resize(400, 300);
        window.show();
        QVERIFY(QTest::qWaitForWindowExposed(&window));
        QVERIFY(view->width() >= int(usable.width()) && view->height() >= int(usable.height()));
        QVERIFY(area->horizontalScrollBar()->maximum() > 0 && area->verticalScrollBar()->maximum() > 0);
        area->resize(int(usable.width()) + 200, int(usable.height()) + 200); // room enough: no scrolling, the view fills
        QTRY_VERIFY(area->verticalScrollBar()->maximum() == 0);
        QVERIFY(view->height() > int(usable.height()));
    }

    void checkCatchesOverlapAndClipping()
    {
        Figure f;
        f.size = QSizeF(300, 100);
        f.paint = [](QPainter& p, const QRectF&) {
            drawFigureText(p, QRectF(10, 10, 200, 20), Qt::AlignLeft, "first label", TextRole::TickLabel);
            drawFigureText(p, QRectF(20, 12, 200, 20), Qt::AlignLeft, "second label", TextRole::TickLabel);
            drawFigureText(p, QRectF(10, 60, 20, 20), Qt::AlignLeft, "far too long for its box", TextRole::Caption);
        };
        QRectF bounds;
        const FigureRecord record = test::recordFigure(f, 1.0, &bounds);
        const QStringList problems = test::figureLayoutProblems(record, bounds);
        QVERIFY2(problems.filter("overlap").size() == 1, qPrintable(problems.join('\n')));
        QVERIFY2(problems.filter("clipped").size() == 1, qPrintable(problems.join('\n')));
    }
};

QTEST_MAIN(TestFigureLayout)
#include "tst_figure_layout.moc"
