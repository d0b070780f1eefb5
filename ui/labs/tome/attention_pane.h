#pragma once
// The ToMe lab's attention view (ui/figures/attention_figure.h): its controls (show, block, head
// or the mean over heads, rollout, colour range), its figure under the merged-token map, and its
// own run on the model thread with progress and cancel. Nothing is recorded while it is hidden;
// shown, it runs with the lab's model, image and merge schedule whenever they or its controls
// change (the colour range only repaints).
#include "core/settings/lab_settings.h"
#include "ui/figures/figure_export.h"

#include <QObject>

#include <functional>
#include <memory>
#include <optional>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QScrollArea;
class QSpinBox;
class QTimer;
class QWidget;

namespace ts {

struct AttentionResult;
class FigureView;
class JobRunner;
class RunStatus;
class Workspace;

class AttentionPane : public QObject {
    Q_OBJECT
public:
    // `labSettings` gives the ToMe lab's settings as its controls show them now.
    AttentionPane(Workspace* workspace, std::function<ToMeSettings()> labSettings, QWidget* parent);
    ~AttentionPane() override;

    QGroupBox* controls() const { return m_controls; }
    QWidget* area() const { return m_area; } // the figure and its run status (hidden when not shown)

    AttentionSettings settings() const;
    void applySettings(const AttentionSettings& settings);
    // Block and head choices for a model of `depth` blocks and `heads` heads.
    void setModelShape(int depth, int heads);
    bool shown() const;
    // A new run when shown (debounced); cancel stops one in flight.
    void scheduleRun();
    void runNow();
    void cancel();
    // The figure shown is left from an input that could not be run: marked until the next one.
    void markStale(const QString& reason);

    // The figure as shown (the run's settings, the colour range as set now); none before a result.
    std::optional<Figure> figure() const;
    QByteArray dataJson() const;

    // For tests.
    QCheckBox* showBox() const { return m_show; }
    QSpinBox* blockBox() const { return m_block; }
    QComboBox* headBox() const { return m_head; }
    QCheckBox* rolloutBox() const { return m_rollout; }
    QComboBox* rangeBox() const { return m_range; }
    JobRunner* runner() const { return m_runner; }
    FigureView* view() const { return m_view; }
    const AttentionResult* result() const { return m_result.get(); }

Q_SIGNALS:
    // A figure is shown that needs `height` pixels of the area to be seen whole at 11 px text.
    void figureNeeds(int height);

private:
    void buildControls(QWidget* parent);
    void onShownChanged();
    void refreshView();

    Workspace* m_workspace;
    std::function<ToMeSettings()> m_labSettings;
    JobRunner* m_runner;
    QGroupBox* m_controls;
    QCheckBox* m_show;
    QSpinBox* m_block;
    QComboBox* m_head;
    QCheckBox* m_rollout;
    QComboBox* m_range;
    QWidget* m_area;
    QScrollArea* m_scroll;
    FigureView* m_view;
    RunStatus* m_status;
    QTimer* m_debounce;
    std::shared_ptr<AttentionResult> m_result;
    ToMeSettings m_runSettings, m_resultSettings;
    int m_pendingHead = -1; // a restored head past the known heads, applied with the model's shape
};

} // namespace ts
