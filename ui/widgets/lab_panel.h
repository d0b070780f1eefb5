#pragma once
// The common face of every lab tab, so the main window's menus (run, cancel, export, layer
// stepping) work on whichever tab is shown.
#include "ui/figures/figure_export.h"
#include "ui/shell/palette_colours.h"

#include <QJsonObject>
#include <QStringList>
#include <QWidget>

#include <optional>
#include <utility>
#include <vector>

namespace ts {

// One of the figures a tab shows. `name` makes its file stem in Export All ("" for the main one;
// "attention" gives tome_attention.png) and `label` names it where Export Figure asks which.
struct ShownFigure {
    QString name, label;
    Figure figure;
    QByteArray dataJson; // the data behind it (Export All writes <stem>.data.json)
};

class LabPanel : public QWidget {
    Q_OBJECT
public:
    using QWidget::QWidget;

    // The figure as currently shown (nothing before the first result).
    virtual std::optional<Figure> currentFigure() const = 0;
    // The data behind it as JSON (empty before the first result).
    virtual QByteArray currentDataJson() const { return {}; }
    // Every figure the tab shows now, the main one (currentFigure) first; a lab with views beside
    // its main figure (the ToMe lab's attention) adds them.
    virtual std::vector<ShownFigure> shownFigures() const
    {
        std::vector<ShownFigure> out;
        if (std::optional<Figure> f = currentFigure())
            out.push_back({QString(), f->title, *f, currentDataJson()});
        return out;
    }
    // The same data as CSV where it is a table (empty where only JSON is offered).
    virtual QByteArray currentDataCsv() const { return {}; }
    // Input files the figure's command names (file name, content), e.g. the FLOP lab's custom
    // models as `flop_models.json`; Export All writes them beside the figures.
    virtual std::vector<std::pair<QString, QByteArray>> commandInputs() const { return {}; }
    virtual void runNow() {}
    virtual void cancelRun() {}
    virtual void stepLayer(int /*delta*/) {}
    // The panel's settings for a session file (core/settings/lab_settings.h as JSON), and their
    // restoration: unknown keys are ignored, and each value it could not use is returned as one
    // line (the value keeps its current setting).
    virtual QJsonObject saveState() const { return {}; }
    virtual QStringList restoreState(const QJsonObject& /*state*/) { return {}; }
};

} // namespace ts
