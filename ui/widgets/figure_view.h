#pragma once
// Paints a Figure laid out in the whole widget, on the palette's base colour (exports: white).
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
    // The rectangle the figure is painted into (the whole widget).
    QRectF figureRect() const;

protected:
    void paintEvent(QPaintEvent* event) override;
    QSize sizeHint() const override { return {900, 560}; }

private:
    std::optional<Figure> m_figure;
    QString m_message;
};

} // namespace ts
