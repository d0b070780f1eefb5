#pragma once
// The Compare lab: the workspace's image and model under 2-4 token-reduction methods at one FLOP
// budget (core/reduction/compare_api.h). Check boxes pick the methods (with PiToMe's margin,
// ATC's linkage and EViT's layers); one slider sets the budget as a share of the unreduced
// model's FLOPs, shown in GFLOPs beside it; another picks the block whose merged-token maps are
// shown side by side (ui/figures/compare_figure.h, also `tokenscope compare`), where a click shows
// the lineage of that patch's token in every map. Under the figure, the table of agreement with
// the unreduced model (ui/labs/compare/compare_table.h). The run is off the GUI thread with
// progress and cancel; a failed or cancelled run leaves the previous figure. Four methods on one
// image are the heaviest run of any lab, so it runs when the tab is first shown, or when its
// settings (or the workspace's image or model) change while it is shown; changes while hidden
// are run when it is next shown. A session or recipe that makes the tab current runs it then.
#include "core/settings/lab_settings.h"
#include "ui/widgets/lab_panel.h"

#include <memory>

class QCheckBox;
class QComboBox;
class QDoubleSpinBox;
class QGroupBox;
class QLabel;
class QLineEdit;
class QScrollArea;
class QSlider;
class QTimer;

namespace ts {

struct CompareResult;
class CompareTable;
class CompareView;
class JobRunner;
class RunStatus;
class Workspace;

class ComparePanel : public LabPanel {
    Q_OBJECT
public:
    explicit ComparePanel(Workspace* workspace, QWidget* parent = nullptr);
    ~ComparePanel() override;

    std::optional<Figure> currentFigure() const override;
    QByteArray currentDataJson() const override; // as `compare --json` writes it
    void runNow() override;
    void cancelRun() override;
    void stepLayer(int delta) override;
    QJsonObject saveState() const override;
    QStringList restoreState(const QJsonObject& state) override;
    // The settings the controls show (model and image from the workspace), and the reverse.
    CompareSettings settings() const;
    void applySettings(const CompareSettings& settings);

    // For tests.
    QCheckBox* methodBox(ReductionMethod method) const { return m_methodBoxes[static_cast<int>(method)]; }
    QSlider* budgetSlider() const { return m_budget; }
    QSlider* layerSlider() const { return m_layer; }
    CompareView* view() const { return m_view; }
    CompareTable* table() const { return m_table; }
    JobRunner* runner() const { return m_runner; }
    const CompareResult* result() const { return m_result.get(); }

protected:
    void showEvent(QShowEvent* event) override;

private:
    QGroupBox* buildMethodControls();
    QGroupBox* buildBudgetControls();
    QGroupBox* buildDisplayControls();
    void connectControls();
    void onMethodToggled(QCheckBox* box);
    void scheduleRun();
    void onResult(std::shared_ptr<CompareResult> result);
    void refreshView();
    void refreshBudgetLabel();
    void refreshInfo();

    Workspace* m_workspace;
    JobRunner* m_runner;
    RunStatus* m_status;
    CompareView* m_view;
    QScrollArea* m_viewArea;
    CompareTable* m_table;
    QCheckBox* m_methodBoxes[4];
    QDoubleSpinBox* m_margin;
    QComboBox* m_linkage;
    QLineEdit* m_evitLayers;
    QSlider* m_budget;      // per mille of the unreduced model's FLOPs
    QLabel* m_budgetLabel;
    QSlider* m_layer;
    QLabel* m_layerLabel;
    QLabel* m_info;
    QTimer* m_debounce;
    std::shared_ptr<CompareResult> m_result;
    double m_plainFlops = 0;       // the unreduced model's, once a run has told
    int m_selectedPatch = -1;
    bool m_runWhenShown = false;   // a change while hidden, run at the next show
    int m_pendingLayer = -1;       // a restored block, applied when the next result arrives
    CompareSettings m_runSettings, m_resultSettings;
};

} // namespace ts
