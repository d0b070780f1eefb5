#include "ui/figures/receptive_field_figure.h"
#include "ui/figures/figure_colours.h"

#include <QObject>
#include <QPainter>

#include <algorithm>

namespace ts {
namespace {

constexpr double kWidth = 720, kMargin = 16, kTitle = 24, kRow = 26, kLabel = 110, kNote = 40;

} // namespace

ReceptiveFieldData receptiveFieldData(const AttentionMask& mask, std::int64_t query, int depth)
{
    ReceptiveFieldData d;
    d.title = QObject::tr("Receptive field of %1, %2").arg(QString::fromStdString(mask.describeQuery(query)),
                                                              QString::fromStdString(mask.label()));
    d.positions = mask.keys();
    d.query = query;
    d.fields = receptiveFields(mask, query, depth);
    return d;
}

QSizeF receptiveFieldNaturalSize(const ReceptiveFieldData& data)
{
    return {kWidth, 2 * kMargin + kTitle + kRow * static_cast<double>(data.fields.size()) + kNote};
}

void paintReceptiveField(QPainter& p, const QRectF& target, const ReceptiveFieldData& data)
{
    const QSizeF natural = receptiveFieldNaturalSize(data);
    const double s = std::min(target.width() / natural.width(), target.height() / natural.height());
    p.save();
    p.translate(target.center() - QPointF(natural.width() * s / 2, natural.height() * s / 2));
    p.scale(s, s);
    QFont font = p.font();
    font.setPixelSize(12);
    p.setFont(font);
    p.setPen(figureInk(p));
    p.drawText(QRectF(kMargin, kMargin, kWidth - 2 * kMargin, kTitle), Qt::AlignLeft | Qt::AlignVCenter, data.title);
    const double x0 = kMargin + kLabel, w = kWidth - kMargin - x0;
    const double per = data.positions > 0 ? w / static_cast<double>(data.positions) : 0;
    double y = kMargin + kTitle;
    const QColor reach(31, 119, 180), unbounded(214, 39, 40);
    for (const ReceptiveField& f : data.fields) {
        const QRectF track(x0, y + 4, w, kRow - 10);
        p.fillRect(track, figurePanelFill(p, 235));
        for (const auto& [b, e] : f.reached) {
            // At least a hairline, so a short reach in a long sequence stays visible.
            const double left = x0 + b * per, width = std::max(1.0, (e - b) * per);
            p.fillRect(QRectF(left, track.top(), width, track.height()), f.unbounded ? unbounded : reach);
        }
        p.fillRect(QRectF(x0 + data.query * per - 1, track.top() - 2, 2, track.height() + 4), figureInk(p));
        const QString label = f.unbounded ? QObject::tr("depth %1: all").arg(f.depth)
                                          : QObject::tr("depth %1: %2").arg(f.depth).arg(f.span);
        p.drawText(QRectF(kMargin, y, kLabel - 6, kRow), Qt::AlignLeft | Qt::AlignVCenter, label);
        y += kRow;
    }
    if (!data.fields.empty())
        p.drawText(QRectF(kMargin, y + 4, kWidth - 2 * kMargin, kNote - 4), Qt::AlignLeft | Qt::AlignTop | Qt::TextWordWrap,
                   QString::fromStdString(data.fields.back().note));
    p.restore();
}

Figure receptiveFieldFigure(const ReceptiveFieldData& data, const QString& command)
{
    Figure f;
    f.size = receptiveFieldNaturalSize(data);
    f.paint = [data](QPainter& p, const QRectF& r) { paintReceptiveField(p, r, data); };
    f.title = QObject::tr("Receptive field");
    f.description = data.title;
    f.command = command;
    return f;
}

} // namespace ts
