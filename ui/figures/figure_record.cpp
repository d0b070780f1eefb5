#include "ui/figures/figure_record.h"

#include <QGraphicsScene>
#include <QGraphicsSimpleTextItem>
#include <QGraphicsTextItem>
#include <QPainter>
#include <QTextDocument>

#include <cmath>

namespace ts {
namespace {

thread_local FigureRecord* t_record = nullptr;

double devicePixels(const QPainter& p, const QFont& font)
{
    const QTransform t = p.combinedTransform();
    const double scale = std::sqrt(std::abs(t.m11() * t.m22() - t.m12() * t.m21()));
    const double px = font.pixelSize() > 0 ? font.pixelSize() : font.pointSizeF() * 96.0 / 72.0;
    return px * scale;
}

void recordText(const QPainter& p, const QRectF& allotted, const QRectF& bounds, const QString& text, TextRole role)
{
    if (!t_record || text.trimmed().isEmpty())
        return;
    PlacedItem item;
    item.kind = PlacedKind::Text;
    item.rect = p.combinedTransform().mapRect(bounds);
    item.text = text;
    item.role = role;
    item.clipped = !allotted.adjusted(-0.5, -0.5, 0.5, 0.5).contains(bounds);
    item.fontPixels = devicePixels(p, p.font());
    t_record->items.push_back(item);
}

} // namespace

std::vector<PlacedItem> FigureRecord::ofKind(PlacedKind kind) const
{
    std::vector<PlacedItem> out;
    for (const PlacedItem& item : items)
        if (item.kind == kind)
            out.push_back(item);
    return out;
}

FigureRecording::FigureRecording(FigureRecord& record) : m_previous(t_record) { t_record = &record; }
FigureRecording::~FigureRecording() { t_record = m_previous; }
bool figureRecordingActive() { return t_record != nullptr; }

QRectF drawRecordedText(QPainter& p, const QRectF& allotted, int flags, const QString& text, TextRole role)
{
    QRectF bounds;
    p.drawText(allotted, flags, text, &bounds);
    recordText(p, allotted, bounds, text, role);
    return bounds;
}

QRectF drawFigureText(QPainter& p, const QRectF& allotted, int flags, const QString& text, TextRole role)
{
    const QFont previous = p.font();
    p.setFont(figureFont(role));
    const QRectF bounds = drawRecordedText(p, allotted, flags, text, role);
    p.setFont(previous);
    return bounds;
}

QRectF drawFigureTextUp(QPainter& p, const QRectF& allotted, const QString& text, TextRole role)
{
    p.save();
    p.translate(allotted.center());
    p.rotate(-90);
    const QRectF turned(-allotted.height() / 2, -allotted.width() / 2, allotted.height(), allotted.width());
    const QRectF bounds = drawFigureText(p, turned, Qt::AlignCenter, text, role);
    p.restore();
    return QTransform().translate(allotted.center().x(), allotted.center().y()).rotate(-90).mapRect(bounds);
}

void recordFigureBox(const QPainter& p, const QRectF& rect, PlacedKind kind, const QString& name)
{
    if (!t_record)
        return;
    PlacedItem item;
    item.kind = kind;
    item.rect = p.combinedTransform().mapRect(rect);
    item.text = name;
    t_record->items.push_back(item);
}

void recordFigureItem(const PlacedItem& item)
{
    if (t_record)
        t_record->items.push_back(item);
}

void recordSceneText(const QGraphicsScene& scene, const QRectF& sceneRect, const QRectF& deviceRect)
{
    if (!t_record || sceneRect.isEmpty())
        return;
    const double sx = deviceRect.width() / sceneRect.width(), sy = deviceRect.height() / sceneRect.height();
    auto toDevice = [&](const QRectF& r) {
        return QRectF(deviceRect.left() + (r.left() - sceneRect.left()) * sx, deviceRect.top() + (r.top() - sceneRect.top()) * sy,
                      r.width() * sx, r.height() * sy);
    };
    for (const QGraphicsItem* g : scene.items()) {
        if (!g->isVisible() || g->opacity() <= 0)
            continue;
        QString text;
        QFont font;
        if (const auto* t = dynamic_cast<const QGraphicsTextItem*>(g)) {
            text = t->document()->toPlainText();
            font = t->font();
        } else if (const auto* s = dynamic_cast<const QGraphicsSimpleTextItem*>(g)) {
            text = s->text();
            font = s->font();
        } else {
            continue;
        }
        if (text.trimmed().isEmpty())
            continue;
        // A text item's box includes its document margin around the glyphs.
        double margin = 0;
        if (const auto* t = dynamic_cast<const QGraphicsTextItem*>(g))
            margin = t->document()->documentMargin();
        PlacedItem item;
        item.rect = toDevice(g->sceneBoundingRect().adjusted(margin, margin, -margin, -margin));
        item.text = text;
        item.role = TextRole::TickLabel;
        item.clipped = text.contains(QChar(0x2026)) || text.endsWith("...");
        item.fontPixels = (font.pixelSize() > 0 ? font.pixelSize() : font.pointSizeF() * 96.0 / 72.0) * sy;
        t_record->items.push_back(item);
    }
}

} // namespace ts
