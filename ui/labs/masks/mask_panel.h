#pragma once
// The mask lab: pick up to three schemes and their sizes, see their masks side by side at the
// same scale (coloured by where each key comes from, with the cost computed from the same mask),
// hover for query / key / kind, and the receptive field of a query after a chosen depth. The
// ToMe effective mask comes from running ToMe on the workspace's image and model, on the model
// thread (ui/jobs/job_runner.h); the picture is rebuilt when the run arrives.
#include "core/settings/lab_settings.h"
#include "ui/widgets/lab_panel.h"

#include <memory>
#include <optional>
#include <string>

class QCheckBox;
class QComboBox;
class QLabel;
class QSpinBox;

namespace ts {

class AttentionMask;
class JobRunner;
class MaskView;
class ReceptiveFieldView;
class RunStatus;
class Workspace;
struct JobOutcome;
struct ToMeSourceMap;

class MaskPanel : public LabPanel {
    Q_OBJECT
public:
    explicit MaskPanel(QWidget* parent = nullptr); // without a workspace: no ToMe mask
    explicit MaskPanel(Workspace* workspace, QWidget* parent = nullptr);

    std::optional<Figure> currentFigure() const override;
    QByteArray currentDataJson() const override;
    QJsonObject saveState() const override;
    QStringList restoreState(const QJsonObject& state) override;
    // The settings the controls and the view show, and the reverse.
    MaskSettings settings() const;
    void applySettings(const MaskSettings& settings);

    // For tests.
    QComboBox* schemeBox(int i) const { return m_kind[i]; }
    QSpinBox* lengthBox() const { return m_length; }
    QSpinBox* sizeBox(const char* name) const; // "window", "block", "memory", "fam", "group", "latents", "width", "depth"
    QCheckBox* causalBox() const { return m_causal; }
    QCheckBox* arBox() const { return m_ar; }
    MaskView* view() const { return m_view; }
    QString errorText() const;
    QString receptiveFieldText() const;
    QString hoverText() const;
    JobRunner* runner() const { return m_runner; }
    // The hover line's text before anything is hovered (screen only, never in a figure).
    static QString hoverHint();

private:
    // The schemes' and sizes' form (the controls column), and its signals to rebuild().
    QWidget* createControls();
    void connectControls();
    void rebuild();
    void showReceptiveField(const AttentionMask& first);
    // The ToMe mask's source map: current for the settings, or run in the background.
    bool usesToMe() const;
    bool toMeMapCurrent(const MaskSettings& settings) const;
    void startToMe(const MaskSettings& settings);
    void onToMeFinished(const JobOutcome& outcome);

    struct ToMeMaskRun {
        std::string image, model; // what it was run on (path, model settings as JSON)
        int r = 0, layer = -1;
        std::shared_ptr<const ToMeSourceMap> map;
    };

    Workspace* m_workspace = nullptr;
    JobRunner* m_runner;
    RunStatus* m_status;
    std::optional<ToMeMaskRun> m_tomeMap, m_pendingToMe;
    QComboBox* m_kind[3];
    QSpinBox *m_length, *m_window, *m_block, *m_memory, *m_fam, *m_group, *m_latents, *m_width, *m_depth, *m_tomeR, *m_tomeLayer;
    QCheckBox *m_causal, *m_ar;
    QLabel *m_error, *m_hover;
    MaskView* m_view;
    ReceptiveFieldView* m_field;
};

} // namespace ts
