#include "ui/labs/flops/flop_chart_view.h"

#include "ui/figures/flop_charts.h"

#include <QChart>
#include <QGraphicsScene>
#include <QMouseEvent>

namespace ts {

FlopChartView::FlopChartView(QWidget* parent) : QGraphicsView(parent), m_scene(new QGraphicsScene(this))
{
    setScene(m_scene);
    setFrameShape(QFrame::NoFrame);
    setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setVerticalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    setAlignment(Qt::AlignLeft | Qt::AlignTop);
    // The same hints as the figure's paint, so screen and export agree.
    setRenderHint(QPainter::Antialiasing);
    setRenderHint(QPainter::TextAntialiasing);
    setMouseTracking(true);
    setMinimumSize(420, 300);
}

QSizeF FlopChartView::chartSize() const
{
    // Before the view is first shown its size is a placeholder: lay out at the natural size.
    const QSize s = viewport()->size();
    return isVisible() && s.width() >= 200 && s.height() >= 150 ? QSizeF(s) : flopCurveNaturalSize();
}

void FlopChartView::setContent(const FlopReport& report, const FlopCurveOptions& options)
{
    m_report = report;
    m_options = options;
    rebuild();
}

void FlopChartView::rebuild()
{
    m_scene->clear(); // deletes the previous charts
    // Light palettes get the export's picture exactly; dark ones the same chart in light ink.
    const QColor base = palette().color(QPalette::Base);
    m_charts = buildFlopCharts(*m_scene, m_report, m_options, chartSize(), base.lightness() < 128 ? base : QColor(Qt::white));
}

void FlopChartView::changeEvent(QEvent* event)
{
    QGraphicsView::changeEvent(event);
    if (event->type() == QEvent::PaletteChange)
        rebuild();
}

int FlopChartView::pointAt(const QPoint& viewportPos) const
{
    return flopChartPointAt(m_charts, m_report, mapToScene(viewportPos));
}

void FlopChartView::showEvent(QShowEvent* event)
{
    QGraphicsView::showEvent(event);
    rebuild();
}

void FlopChartView::resizeEvent(QResizeEvent* event)
{
    QGraphicsView::resizeEvent(event);
    rebuild();
}

void FlopChartView::mouseMoveEvent(QMouseEvent* event)
{
    QGraphicsView::mouseMoveEvent(event);
    Q_EMIT hovered(pointAt(event->position().toPoint()), event->globalPosition().toPoint());
}

void FlopChartView::leaveEvent(QEvent* event)
{
    QGraphicsView::leaveEvent(event);
    Q_EMIT hovered(-1, {});
}

} // namespace ts
