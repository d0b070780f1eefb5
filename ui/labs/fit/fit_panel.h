#pragma once
// The FIT lab: group size, latents per group, latent width, layer pattern and image size; the
// grouping drawn over the image; a run (progress, cancel) that records every block's latent
// attention, so clicking a group or changing block / latent redraws without running again;
// time and peak memory (measured and estimated) beside the figure.
#include "core/settings/lab_settings.h"
#include "ui/widgets/lab_panel.h"

#include <memory>

class QCheckBox;
class QGroupBox;
class QComboBox;
class QLabel;
class QLineEdit;
class QSpinBox;
class QTimer;

namespace ts {

struct FitResult;
struct FitRequest;
struct FitOverlayOptions;
class FitView;
class JobRunner;
class RunStatus;
class Workspace;

class FitPanel : public LabPanel {
    Q_OBJECT
public:
    explicit FitPanel(Workspace* workspace, QWidget* parent = nullptr);
    ~FitPanel() override;

    std::optional<Figure> currentFigure() const override;
    QByteArray currentDataJson() const override;
    void runNow() override;
    void cancelRun() override;
    void stepLayer(int delta) override; // steps the FIT block
    QJsonObject saveState() const override;
    QStringList restoreState(const QJsonObject& state) override;
    // The settings the controls show (image, seed and normalisation from the workspace), and the reverse.
    FitSettings settings() const;
    void applySettings(const FitSettings& settings);

    // For tests.
    QSpinBox* groupSpin() const { return m_group; }
    QSpinBox* latentsSpin() const { return m_latents; }
    QSpinBox* latentWidthSpin() const { return m_latentWidth; }
    QSpinBox* sizeSpin() const { return m_size; }
    QSpinBox* blockSpin() const { return m_block; }
    QComboBox* latentBox() const { return m_latent; }
    QComboBox* rangeBox() const { return m_range; }
    QLineEdit* patternEdit() const { return m_pattern; }
    QCheckBox* autoregressiveBox() const { return m_autoregressive; }
    FitView* view() const { return m_view; }
    JobRunner* runner() const { return m_runner; }
    QLabel* infoLabel() const { return m_info; }
    const FitResult* result() const { return m_result.get(); }
    int selectedGroup() const { return m_selectedGroup; }

private:
    QGroupBox* buildArchitectureControls();
    QGroupBox* buildOverlayControls();
    void connectControls();
    bool buildRequest(FitRequest& request, QString* error) const;
    void scheduleRun();
    void showPreview();
    void onResult(std::shared_ptr<FitResult> result);
    void restoreResultView(); // after a cancelled or failed run
    void refreshView();
    void refreshInfo();
    FitOverlayOptions overlayOptions() const;

    Workspace* m_workspace;
    JobRunner* m_runner;
    RunStatus* m_status;
    FitView* m_view;
    QSpinBox* m_group;
    QSpinBox* m_latents;
    QSpinBox* m_latentWidth;
    QLineEdit* m_pattern;
    QSpinBox* m_size;
    QCheckBox* m_autoregressive;
    QSpinBox* m_block;
    QComboBox* m_latent;
    QComboBox* m_range;
    QLabel* m_info;
    QTimer* m_debounce;
    std::shared_ptr<FitResult> m_result;
    int m_selectedGroup = -1;
    int m_pendingBlock = -1, m_pendingLatent = -2; // restored view, applied when the next result arrives
    FitSettings m_runSettings, m_resultSettings;
};

} // namespace ts
