#include "ui/widgets/stale_mark.h"

#include "ui/figures/figure_record.h"
#include "ui/figures/figure_type.h"

#include <QCoreApplication>
#include <QFontMetricsF>
#include <QPainter>

#include <algorithm>

namespace ts {

QString staleMarkText(const QString& reason)
{
    return reason.isEmpty() ? QString() : QCoreApplication::translate("StaleMark", "Not updated: %1").arg(reason);
}

QRectF staleMarkRect(double width, const QString& reason)
{
    const QString text = staleMarkText(reason);
    if (text.isEmpty())
        return {};
    const QFontMetricsF metrics(figureFont(TextRole::Annotation));
    const double w = std::min(width - 16, metrics.horizontalAdvance(text) + 24);
    const QRectF bounds = metrics.boundingRect(QRectF(0, 0, w - 24, 1e6), Qt::TextWordWrap, text);
    return QRectF((width - w) / 2, 4, w, bounds.height() + 12);
}

void paintStaleMark(QPainter& painter, const QRectF& strip, const QString& reason)
{
    if (strip.isEmpty())
        return;
    painter.save();
    painter.setPen(QPen(QColor(150, 90, 0), 1));
    painter.setBrush(QColor(255, 214, 120, 240));
    painter.drawRoundedRect(strip, 4, 4);
    painter.setPen(QColor(30, 20, 0));
    drawFigureText(painter, strip.adjusted(10, 5, -10, -5), Qt::AlignCenter | Qt::TextWordWrap, staleMarkText(reason), TextRole::Annotation);
    painter.restore();
}

} // namespace ts
