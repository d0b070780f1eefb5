#pragma once
// The FLOP lab's chart on screen: a graphics view over the Qt Charts scene that
// ui/figures/flop_charts.h builds, laid out at the view's own size (rebuilt on resize), so the
// exported figure of that size is the same picture. Reports the plotted length under the mouse.
#include "core/flops/flop_report.h"
#include "ui/figures/flop_curve_figure.h"

#include <QGraphicsView>

#include <vector>

QT_BEGIN_NAMESPACE
class QChart;
QT_END_NAMESPACE

namespace ts {

class FlopChartView : public QGraphicsView {
    Q_OBJECT
public:
    explicit FlopChartView(QWidget* parent = nullptr);

    void setContent(const FlopReport& report, const FlopCurveOptions& options);
    const std::vector<QChart*>& charts() const { return m_charts; }
    // The index of the plotted length under a point of the view (viewport coordinates), or -1.
    int pointAt(const QPoint& viewportPos) const;
    // The size the charts are laid out at: the viewport's once shown, the natural size before.
    QSizeF chartSize() const;

Q_SIGNALS:
    void hovered(int pointIndex, const QPoint& globalPos); // -1 when the mouse leaves the plots

protected:
    void resizeEvent(QResizeEvent* event) override;
    void showEvent(QShowEvent* event) override;
    void changeEvent(QEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void rebuild();

    QGraphicsScene* m_scene;
    std::vector<QChart*> m_charts;
    FlopReport m_report;
    FlopCurveOptions m_options;
};

} // namespace ts
