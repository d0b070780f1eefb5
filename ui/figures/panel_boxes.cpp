#include "ui/figures/panel_boxes.h"

#include <QFontMetricsF>

#include <algorithm>
#include <cmath>

namespace ts::layout {
namespace {

constexpr double kTickLength = 4, kBarWidth = 14, kBarGap = 10;

double widest(const QStringList& labels, TextRole role)
{
    double w = 0;
    for (const QString& s : labels)
        w = std::max(w, textWidth(s, role));
    return w;
}

// Where the x tick labels start below the data: clear of a colour bar's bottom label.
double xTickOffset() { return std::max(kTickLength + 3, lineHeight(TextRole::TickLabel) / 2 + 1); }

} // namespace

double lineHeight(TextRole role) { return std::ceil(QFontMetricsF(figureFont(role)).height()) + 1; }
double textWidth(const QString& text, TextRole role) { return std::ceil(QFontMetricsF(figureFont(role)).horizontalAdvance(text)) + 2; }

Margins panelMargins(const PanelSpec& s)
{
    Margins m;
    const double tick = lineHeight(TextRole::TickLabel);
    const double yTitle = s.yTitle.isEmpty() ? 0 : lineHeight(TextRole::AxisTitle) + 4;
    const double yTicks = s.yTickLabels.isEmpty() ? 0 : widest(s.yTickLabels, TextRole::TickLabel) + kTickLength + 3;
    const double xOverhang = s.xTickLabels.isEmpty() ? 0 : widest(s.xTickLabels, TextRole::TickLabel) / 2;
    m.left = std::max(yTitle + yTicks, xOverhang);
    m.right = std::max(s.colourBar ? kBarGap + colourBarColumnWidth(*s.colourBar) : 0.0, xOverhang);
    const bool endLabels = !s.yTickLabels.isEmpty() || s.colourBar;
    m.top = endLabels ? tick / 2 + 1 : 0; // the title's rows come on top (panelTitleHeight)
    m.bottomFixed = (s.xTickLabels.isEmpty() ? (endLabels ? tick / 2 + 1 : 0) : xTickOffset() + tick)
                    + (s.xTitle.isEmpty() ? 0 : lineHeight(TextRole::AxisTitle) + 2);
    return m;
}

double panelTitleHeight(const PanelSpec& s, double frameWidth)
{
    return s.title.isEmpty() ? 0 : textBlockHeight({s.title}, frameWidth, TextRole::PanelTitle) + 4;
}

double statisticsHeight(const PanelSpec& s, double frameWidth)
{
    return s.statistics.isEmpty() ? 0 : textBlockHeight(s.statistics, frameWidth, TextRole::Statistic) + 4;
}

PanelBoxes panelBoxes(const PanelSpec& s, const Margins& m, double left, double titleTop, double dataTop, const QSizeF& data,
                      double extra)
{
    PanelBoxes b;
    const double frameWidth = m.left + data.width() + m.right + extra;
    b.data = QRectF(left + m.left, dataTop, data.width(), data.height());
    const double titleH = panelTitleHeight(s, frameWidth);
    b.title = QRectF(left, titleTop, frameWidth, std::max(0.0, titleH - 4));
    const double tick = lineHeight(TextRole::TickLabel);
    const double yTitleW = s.yTitle.isEmpty() ? 0 : lineHeight(TextRole::AxisTitle) + 4;
    // Centred beside the data, taller than it when the title needs it (not into the title rows).
    const double yTitleH = std::max(b.data.height(), textWidth(s.yTitle, TextRole::AxisTitle));
    const double yTitleTop = std::max(dataTop - m.top, b.data.center().y() - yTitleH / 2);
    b.yTitle = QRectF(left, yTitleTop, yTitleW, yTitleH);
    b.yTicks = QRectF(left + yTitleW, b.data.top() - tick / 2, b.data.left() - left - yTitleW, b.data.height() + tick);
    double y = b.data.bottom();
    if (!s.xTickLabels.isEmpty()) {
        b.xTicks = QRectF(left, y + xTickOffset(), frameWidth, tick);
        y = b.xTicks.bottom();
    } else if (!s.yTickLabels.isEmpty() || s.colourBar) {
        y += tick / 2 + 1;
    }
    if (!s.xTitle.isEmpty()) {
        // Centred under the data, wider than it when the title needs it (kept in the frame).
        const double w = std::min(frameWidth, std::max(b.data.width(), textWidth(s.xTitle, TextRole::AxisTitle)));
        const double x = std::clamp(b.data.center().x() - w / 2, left, left + frameWidth - w);
        b.xTitle = QRectF(x, y + 2, w, lineHeight(TextRole::AxisTitle));
        y = b.xTitle.bottom();
    }
    b.statistics = QRectF(left, y + 4, frameWidth, statisticsHeight(s, frameWidth) - 4);
    if (s.colourBar) {
        const ColourBar& c = *s.colourBar;
        const double beyond = 2.9 * figureType().tick + 1; // a reference outside the range is named there
        const bool above = c.reference >= 0 && c.reference > c.hi, below = c.reference >= 0 && c.reference < c.lo;
        b.colourBar = QRectF(b.data.right() + kBarGap, b.data.top() + (above ? beyond : 0), kBarWidth,
                             std::max(1.0, b.data.height() - (above ? beyond : 0) - (below ? beyond : 0)));
    }
    b.frame = QRectF(left, titleTop, frameWidth, std::max(b.statistics.bottom(), y) - titleTop);
    return b;
}

} // namespace ts::layout
