#pragma once
// The main window: image and model controls on the left, one tab per lab (ToMe, FIT, FAM,
// masks, FLOPs, Compare) in the middle. It only wires widgets together; the work is in the panels.
#include "ui/figures/figure_export.h"
#include "ui/shell/export_all.h"
#include "ui/shell/session.h"

#include <QKeySequence>
#include <QList>

#include <QMainWindow>

#include <optional>

class QMenu;
class QTabWidget;

namespace ts {

class Workspace;
class ModelControls;
class LabPanel;
class EvaluateFolderDialog;

class MainWindow : public QMainWindow {
    Q_OBJECT
public:
    explicit MainWindow(QWidget* parent = nullptr);
    ~MainWindow() override;

    Workspace* workspace() const { return m_workspace; }
    QTabWidget* tabs() const { return m_tabs; }
    // Opens an image as File > Open does (shows a message box on failure, nothing lost).
    bool openImage(const QString& path);
    // Session files (JSON): the image, the model and every panel's parameters. Opening one
    // restores what it can and says what it could not; nothing is lost on failure.
    bool saveSession(const QString& path, QString* error = nullptr);
    // The session document for the current state (what Save Session writes, and Export All's settings.json).
    Session currentSession() const;
    bool openSession(const QString& path, QStringList* problems = nullptr);
    // Every lab tab, as File > Export All exports them.
    QList<ExportLab> labsForExport() const;
    // Run > Evaluate Folder…'s dialog (made on first use; its result is the session's).
    EvaluateFolderDialog* evaluateFolderDialog();

protected:
    void dragEnterEvent(QDragEnterEvent* event) override;
    void dropEvent(QDropEvent* event) override;
    void closeEvent(QCloseEvent* event) override;

private:
    void addPanels();   // one line per lab tab
    void createMenus();
    void createFileMenu();
    void createRunMenu();
    void createViewMenu();
    QAction* addMenuAction(QMenu* menu, const QString& text, const QKeySequence& shortcut, void (MainWindow::*handler)());
    LabPanel* currentPanel() const;
    // The menus' actions, one function each.
    void loadCheckpointDialog();
    void openSessionDialog();
    void saveSessionDialog();
    std::optional<double> askPngScale();
    std::optional<Figure> chooseShownFigure();
    void exportFigureDialog();
    void exportDataDialog();
    void exportAllDialog();
    void copyFigure();
    void showAbout();
    void evaluateFolder();
    void updateRecentFiles();
    void addRecentFile(const QString& path);

    Workspace* m_workspace = nullptr;
    ModelControls* m_modelControls = nullptr;
    QTabWidget* m_tabs = nullptr;
    QMenu* m_recentMenu = nullptr;
    EvaluateFolderDialog* m_evaluateDialog = nullptr;
};

} // namespace ts
