#include "ui/figures/figure_type.h"

namespace ts {

int FigureType::pixels(TextRole role) const
{
    switch (role) {
    case TextRole::Title: return title;
    case TextRole::PanelTitle: return panelTitle;
    case TextRole::AxisTitle: return axisTitle;
    case TextRole::TickLabel: return tick;
    case TextRole::Legend: return legend;
    case TextRole::Statistic: return statistic;
    case TextRole::Caption: return caption;
    case TextRole::Annotation: return annotation;
    }
    return tick;
}

const FigureType& figureType()
{
    static const FigureType type;
    return type;
}

QFont figureFont(TextRole role)
{
    QFont font;
    font.setPixelSize(figureType().pixels(role));
    font.setBold(role == TextRole::Title || role == TextRole::PanelTitle);
    return font;
}

QString textRoleName(TextRole role)
{
    switch (role) {
    case TextRole::Title: return "title";
    case TextRole::PanelTitle: return "panel title";
    case TextRole::AxisTitle: return "axis title";
    case TextRole::TickLabel: return "tick label";
    case TextRole::Legend: return "legend";
    case TextRole::Statistic: return "statistic";
    case TextRole::Caption: return "caption";
    case TextRole::Annotation: return "annotation";
    }
    return "text";
}

} // namespace ts
