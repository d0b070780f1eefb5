#include "ui/shell/palette_colours.h"

#include <QApplication>
#include <QEvent>
#include <QLabel>
#include <QPainter>
#include <QPalette>
#include <QProxyStyle>
#include <QStyleOption>
#include <QStyle>
#include <QStyleFactory>

#include <cmath>
#include <memory>

namespace ts {
namespace {

// Re-applies the error colour when the application palette changes (light <-> dark).
class ErrorTextStyler : public QObject {
public:
    explicit ErrorTextStyler(QLabel* label) : QObject(label), m_label(label) { apply(); }

    bool eventFilter(QObject* watched, QEvent* event) override
    {
        // A new application palette reaches the label as a PaletteChange (its other roles are
        // inherited); setting the colour sends another, which then finds nothing to change.
        if (watched == m_label && (event->type() == QEvent::PaletteChange || event->type() == QEvent::ApplicationPaletteChange))
            apply();
        return false;
    }

private:
    void apply()
    {
        const QColor colour = errorTextColour(QApplication::palette());
        QPalette p = m_label->palette();
        if (p.color(QPalette::WindowText) == colour && p.isBrushSet(QPalette::Active, QPalette::WindowText))
            return;
        p.setColor(QPalette::WindowText, colour);
        m_label->setPalette(p);
    }

    QLabel* m_label;
};

double relativeLuminance(const QColor& c)
{
    auto channel = [](double v) { return v <= 0.04045 ? v / 12.92 : std::pow((v + 0.055) / 1.055, 2.4); };
    return 0.2126 * channel(c.redF()) + 0.7152 * channel(c.greenF()) + 0.0722 * channel(c.blueF());
}

} // namespace

QColor errorTextColour(const QPalette& palette)
{
    return palette.color(QPalette::Window).lightness() < 128 ? QColor(255, 138, 128) : QColor(176, 0, 32);
}

void styleAsErrorText(QLabel* label)
{
    label->installEventFilter(new ErrorTextStyler(label));
}

namespace {

class VisibleIndicatorStyle : public QProxyStyle {
public:
    using QProxyStyle::QProxyStyle;
    void drawPrimitive(PrimitiveElement element, const QStyleOption* option, QPainter* painter,
                       const QWidget* widget) const override
    {
        QProxyStyle::drawPrimitive(element, option, painter, widget);
        if ((element != PE_IndicatorCheckBox && element != PE_IndicatorItemViewItemCheck)
            || option->palette.color(QPalette::Window).lightness() >= 128)
            return;
        painter->save();
        QColor frame = option->palette.color(QPalette::Text);
        frame.setAlpha(option->state & State_Enabled ? 170 : 90);
        painter->setPen(QPen(frame, 1));
        painter->setBrush(Qt::NoBrush);
        painter->drawRect(QRectF(option->rect).adjusted(0.5, 0.5, -0.5, -0.5));
        painter->restore();
    }
};

} // namespace

QStyle* fusionStyleWithVisibleIndicators()
{
    return new VisibleIndicatorStyle(QStyleFactory::create("Fusion"));
}

QPalette fusionPalette(bool dark)
{
    if (!dark) {
        const std::unique_ptr<QStyle> fusion(QStyleFactory::create("Fusion"));
        return fusion ? fusion->standardPalette() : QPalette();
    }
    QPalette p;
    const QColor window(45, 45, 48), base(30, 30, 32), text(232, 232, 232), disabled(130, 130, 130);
    p.setColor(QPalette::Window, window);
    p.setColor(QPalette::WindowText, text);
    p.setColor(QPalette::Base, base);
    p.setColor(QPalette::AlternateBase, window);
    p.setColor(QPalette::ToolTipBase, window);
    p.setColor(QPalette::ToolTipText, text);
    p.setColor(QPalette::PlaceholderText, QColor(160, 160, 160));
    p.setColor(QPalette::Text, text);
    p.setColor(QPalette::Button, QColor(60, 60, 64));
    p.setColor(QPalette::ButtonText, text);
    p.setColor(QPalette::BrightText, QColor(255, 120, 120));
    p.setColor(QPalette::Light, QColor(80, 80, 84));
    p.setColor(QPalette::Midlight, QColor(70, 70, 74));
    p.setColor(QPalette::Mid, QColor(40, 40, 42));
    p.setColor(QPalette::Dark, QColor(25, 25, 26));
    p.setColor(QPalette::Shadow, Qt::black);
    p.setColor(QPalette::Highlight, QColor(42, 130, 218));
    p.setColor(QPalette::HighlightedText, Qt::white);
    p.setColor(QPalette::Link, QColor(110, 170, 255));
    p.setColor(QPalette::LinkVisited, QColor(180, 140, 255));
    for (auto role : {QPalette::WindowText, QPalette::Text, QPalette::ButtonText})
        p.setColor(QPalette::Disabled, role, disabled);
    return p;
}

bool applyPaletteFromEnvironment()
{
    const QByteArray choice = qgetenv("TOKENSCOPE_PALETTE").toLower();
    if (choice.isEmpty())
        return true;
    if (choice != "dark" && choice != "light")
        return false;
    QApplication::setStyle(fusionStyleWithVisibleIndicators());
    QApplication::setPalette(fusionPalette(choice == "dark"));
    return true;
}

double contrastRatio(const QColor& a, const QColor& b)
{
    const double la = relativeLuminance(a), lb = relativeLuminance(b);
    return (std::max(la, lb) + 0.05) / (std::min(la, lb) + 0.05);
}

} // namespace ts
