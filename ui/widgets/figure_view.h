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
    // Marks the figure shown as left from an invalid input (ui/widgets/stale_mark.h); a new
    // figure clears the mark.
    void setStale(const QString& reason);
    const QString& staleReason() const { return m_stale; }
    QRectF staleRect() const;
    const std::optional<Figure>& figure() const { return m_figure; }
    // The rectangle the figure is laid out in (the widget, less the mark's strip when marked).
    QRectF figureRect() const;

protected:
    void paintEvent(QPaintEvent* event) override;
    QSize sizeHint() const override { return {900, 560}; }

private:
    std::optional<Figure> m_figure;
    QString m_message;
    QString m_stale;
};

} // namespace ts
