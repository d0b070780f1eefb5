#pragma once
// The FAM lab over an image: the ViT's own blocks run as TransformerFAM over the patch sequence
// in raster order (block size, memory segments, FAM length); the blocks are drawn over the image
// and, for a chosen block and layer, the FAM queries' attention over that block's patches.
#include "core/settings/lab_settings.h"
#include "ui/widgets/lab_panel.h"

#include <memory>

class QCheckBox;
class QLabel;
class QSpinBox;
class QTimer;

namespace ts {

struct FamResult;
class FigureView;
class JobRunner;
class RunStatus;
class Workspace;

class FamPanel : public LabPanel {
    Q_OBJECT
public:
    explicit FamPanel(Workspace* workspace, QWidget* parent = nullptr);
    ~FamPanel() override;

    std::optional<Figure> currentFigure() const override;
    QByteArray currentDataJson() const override;
    void runNow() override;
    void cancelRun() override;
    void stepLayer(int delta) override;
    QJsonObject saveState() const override;
    QStringList restoreState(const QJsonObject& state) override;
    // The settings the controls show (model and image from the workspace), and the reverse.
    FamSettings settings() const;
    void applySettings(const FamSettings& settings);

    QSpinBox* blockBox() const { return m_block; }
    QSpinBox* overlayBlockBox() const { return m_overlayBlock; }
    QSpinBox* memoryBox() const { return m_memory; }
    QSpinBox* famBox() const { return m_fam; }
    QSpinBox* layerBox() const { return m_layer; }
    QCheckBox* withFamBox() const { return m_withFam; }
    FigureView* view() const { return m_view; }
    JobRunner* runner() const { return m_runner; }
    const FamResult* result() const { return m_result.get(); }

private:
    void scheduleRun();

    Workspace* m_workspace;
    JobRunner* m_runner;
    RunStatus* m_status;
    FigureView* m_view;
    QSpinBox* m_block;
    QSpinBox* m_memory;
    QSpinBox* m_fam;
    QCheckBox* m_withFam;
    QSpinBox* m_overlayBlock;
    QSpinBox* m_layer;
    QLabel* m_info;
    QTimer* m_debounce;
    std::shared_ptr<FamResult> m_result;
    FamSettings m_runSettings, m_resultSettings;
};

} // namespace ts
