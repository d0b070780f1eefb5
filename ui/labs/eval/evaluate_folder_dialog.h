#pragma once
// Run > Evaluate Folder…: the token-reduction methods over a folder of images (the workspace's
// model), at an r list or GFLOPs targets, with progress per image and Cancel; the agreement (or
// accuracy) against cost plot (ui/figures/eval_figure.h) and a table of the rows. The work runs
// on the model thread (core/reduction/evaluation_api.h) with a resume file per folder in the
// app's cache folder, so a cancelled evaluation continues where it stopped. The last result and
// its settings are the session's ("evaluation"), so a reopened session shows the same plot, and
// they export as a figure and as JSON or CSV.
#include "core/reduction/evaluation_api.h"
#include "core/settings/eval_settings.h"
#include "ui/figures/figure_export.h"

#include <QDialog>
#include <QJsonObject>
#include <QStringList>

#include <array>
#include <functional>
#include <optional>

class QCheckBox;
class QComboBox;
class QLineEdit;
class QPushButton;
class QTableWidget;

namespace ts {

class FigureView;
class JobRunner;
class RunStatus;
class Workspace;

class EvaluateFolderDialog : public QDialog {
    Q_OBJECT
public:
    explicit EvaluateFolderDialog(Workspace* workspace, QWidget* parent = nullptr);

    // The fields (and the workspace's model) as settings; throws ts::Error naming a bad field.
    EvalSettings settingsFromFields() const;
    void setFields(const EvalSettings& settings);
    void run();  // starts the evaluation of the fields' settings (an error shows in the status)

    const std::optional<EvalResult>& result() const { return m_result; }
    std::optional<Figure> figure() const;
    // {"settings", "result"}: empty before a first result.
    QJsonObject saveState() const;
    // Shows a saved result and its settings; returns what it could not use.
    QStringList restoreState(const QJsonObject& state);
    // Where a folder's resume file lives (the app's cache folder, one file per folder and labels).
    static QString progressPathFor(const QString& folder, const QString& labels);

    JobRunner* runner() const { return m_runner; }
    FigureView* view() const { return m_view; }
    QTableWidget* table() const { return m_table; }
    QLineEdit* folderEdit() const { return m_folder; }
    QLineEdit* labelsEdit() const { return m_labels; }
    QLineEdit* valuesEdit() const { return m_values; }
    QComboBox* settingKind() const { return m_kind; }
    QCheckBox* methodBox(ReductionMethod method) const { return m_methods[static_cast<std::size_t>(method)]; }

Q_SIGNALS:
    void evaluated(); // a new result is shown

private:
    QWidget* buildFields();
    QWidget* buildButtons();
    void showResult(const EvalResult& result, const EvalSettings& settings);
    void fillTable(const EvalResult& result);
    // Asks for a file and writes it with `write`; a failure is shown in a message box.
    void exportTo(const QString& title, const QString& name, const QString& filter, const std::function<void(const QString&)>& write);
    void exportFigureDialog();
    void exportDataDialog();

    Workspace* m_workspace;
    JobRunner* m_runner;
    RunStatus* m_status = nullptr;
    QLineEdit* m_folder = nullptr;
    QLineEdit* m_labels = nullptr;
    QLineEdit* m_values = nullptr;
    QComboBox* m_kind = nullptr;
    std::array<QCheckBox*, 4> m_methods{};
    QPushButton* m_run = nullptr;
    QPushButton* m_exportFigure = nullptr;
    QPushButton* m_exportData = nullptr;
    FigureView* m_view = nullptr;
    QTableWidget* m_table = nullptr;
    std::optional<EvalResult> m_result;
    EvalSettings m_resultSettings;
};

} // namespace ts
