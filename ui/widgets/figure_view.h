#pragma once
// Paints a Figure scaled to the widget, on white, exactly as it exports.
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
};

} // namespace ts
