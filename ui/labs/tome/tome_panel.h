#pragma once
// The ToMe lab: the method (ToMe, PiToMe, ATC, EViT; ui/labs/tome/reduction_controls.h), r and schedule controls, a layer slider that replays recorded merges without
// running the model again, the merged-token map with click-to-see lineage, token counts,
// predictions and timings; under the map, when asked for, the class token's attention with the
// same merging (ui/labs/tome/attention_pane.h).
#include "core/settings/lab_settings.h"
#include "ui/widgets/lab_panel.h"

#include <memory>

class QGroupBox;
class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QLabel;
class QLineEdit;
class QSlider;
class QSpinBox;
class QTimer;

namespace ts {

struct ToMeResult;
class AttentionPane;
class JobRunner;
class MergeDisplayControls;
class MergeView;
class ReductionControls;
class RunStatus;
class Workspace;

class ToMePanel : public LabPanel {
    Q_OBJECT
public:
    explicit ToMePanel(Workspace* workspace, QWidget* parent = nullptr);
    ~ToMePanel() override;

    std::optional<Figure> currentFigure() const override;
    std::vector<ShownFigure> shownFigures() const override; // the map, then the attention when shown
    QByteArray currentDataJson() const override;
    void runNow() override;
    void cancelRun() override;
    void stepLayer(int delta) override;
    QJsonObject saveState() const override;
    QStringList restoreState(const QJsonObject& state) override;
    // The settings the controls show (model and image from the workspace), and the reverse.
    ToMeSettings settings() const;
    void applySettings(const ToMeSettings& settings);

    // For tests and the main window.
    QSlider* rSlider() const { return m_rSlider; }
    QSlider* layerSlider() const { return m_layerSlider; }
    QComboBox* scheduleBox() const { return m_scheduleKind; }
    MergeDisplayControls* display() const { return m_display; }
    ReductionControls* reductionControls() const { return m_reduction; }
    MergeView* view() const { return m_view; }
    AttentionPane* attention() const { return m_attention; }
    JobRunner* runner() const { return m_runner; }
    const ToMeResult* result() const { return m_result.get(); }
    int selectedPatch() const { return m_selectedPatch; }
    QString tokenSummary() const;

private:
    void scheduleRun();
    void onResult(std::shared_ptr<ToMeResult> result);
    void refreshView();
    void refreshInfo();
    void updateScheduleControls();
    QGroupBox* buildMergingControls();
    void connectControls();

    Workspace* m_workspace;
    JobRunner* m_runner;
    RunStatus* m_status;
    ReductionControls* m_reduction;
    MergeView* m_view;
    AttentionPane* m_attention;
    QSlider* m_rSlider;
    QSpinBox* m_rSpin;
    QComboBox* m_scheduleKind;
    QDoubleSpinBox* m_inflection;
    QLineEdit* m_list;
    QCheckBox* m_propAttn;
    MergeDisplayControls* m_display;
    QSlider* m_layerSlider; // m_display's
    QLabel* m_info;
    QTimer* m_debounce;
    std::shared_ptr<ToMeResult> m_result;
    int m_selectedPatch = -1;
    int m_pendingLayer = -1; // a restored layer, applied when the next result arrives
    ToMeSettings m_runSettings;    // what the run in flight was started with
    ToMeSettings m_resultSettings; // what the shown result was run with
};

} // namespace ts
