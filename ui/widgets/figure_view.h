#pragma once
// Paints a Figure on the palette's base colour: scaled from its natural size (its aspect kept,
// as it exports), or, for figures laid out by ui/figures/figure_layout.h, laid out in the whole
// widget (setFillsView): the data areas take the view and text keeps the type scale's sizes.
#include "ui/figures/figure_export.h"

#include <QWidget>

#include <optional>

namespace ts {

class FigureView : public QWidget {
    Q_OBJECT
public:
    explicit FigureView(QWidget* parent = nullptr);
    void setFigure(const Figure& figure);
    void clear(const QString& message);
    void setFillsView(bool fills);
    // The smallest size the figure stays readable at when it fills the view (its data areas
    // usable, ui/figures/figure_layout.h usableFigureSize): in fills-view mode the widget's
    // minimum size is at least this, so a host QScrollArea scrolls instead of shrinking it.
    void setFillMinimum(const QSizeF& size);
    // Marks the figure shown as left from an invalid input (ui/widgets/stale_mark.h) in a strip
    // above it; a new figure clears the mark.
    void setStale(const QString& reason);
    const QString& staleReason() const { return m_stale; }
    QRectF staleRect() const;
    const std::optional<Figure>& figure() const { return m_figure; }
    // The rectangle the figure occupies (its aspect kept, centred).
    QRectF figureRect() const;
    // The rectangle the figure's paint function is given, and a widget point in its coordinates.
    QRectF paintTarget() const;
    QPointF toFigure(const QPointF& widgetPoint) const;

Q_SIGNALS:
    // A click on the figure, at `point` in paintTarget()'s coordinates.
    void clicked(const QPointF& point);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    QSize sizeHint() const override { return {900, 560}; }

private:
    std::optional<Figure> m_figure;
    QString m_message;
    bool m_fills = false;
    QSize m_fillMinimum;
    QString m_stale;

    QRectF markedArea() const; // the widget less the mark's strip
};

} // namespace ts
