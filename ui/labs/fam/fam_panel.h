#pragma once
// The FAM lab: the ViT's own blocks run as TransformerFAM over the image's patch sequence in
// raster order, or over a synthetic stream of a chosen length (block size, memory segments, FAM
// length); for a chosen block, layer and query (any of the block's tokens or FAM queries, or the
// FAM queries' mean; a click on a patch picks it) the figure shows where the attention goes:
// memory segments, previous FAM and the block (ui/figures/fam_overlay_figure.h). The text beside
// it states the same shares as the figure (famShares). The colour range only redraws.
#include "core/settings/lab_settings.h"
#include "ui/widgets/lab_panel.h"

#include <memory>

class QCheckBox;
class QComboBox;
class QGroupBox;
class QLabel;
class QSpinBox;
class QTimer;

namespace ts {

struct FamOverlayData;
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
    QSpinBox* queryBox() const { return m_query; }
    QSpinBox* streamLengthBox() const { return m_streamLength; }
    QCheckBox* withFamBox() const { return m_withFam; }
    QCheckBox* streamBox() const { return m_stream; }
    QComboBox* rangeBox() const { return m_range; }
    QLabel* infoLabel() const { return m_info; }
    FigureView* view() const { return m_view; }
    JobRunner* runner() const { return m_runner; }
    const FamResult* result() const { return m_result.get(); }

private:
    QGroupBox* buildFamControls();
    QGroupBox* buildOverlayControls();
    void scheduleRun();
    void onResult(std::shared_ptr<FamResult> result);
    void refreshInfo();
    void showFigure(); // the result drawn with the colour range chosen now (no rerun)
    FamSettings::Range chosenRange() const;
    void pickPatch(const QPointF& point); // a click on the figure: that patch's query

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
    QSpinBox* m_query;
    QComboBox* m_range;
    QCheckBox* m_stream;
    QSpinBox* m_streamLength;
    QLabel* m_info;
    QTimer* m_debounce;
    std::shared_ptr<FamResult> m_result;
    std::shared_ptr<const FamOverlayData> m_overlay; // m_result's figure data, as drawn
    FamSettings m_runSettings, m_resultSettings;
};

} // namespace ts
