// Run > Evaluate Folder…: the main window's one Evaluate Folder dialog, made on first use (or when
// a session brings a result) and kept, so its result stays the session's while it is closed.
#include "ui/labs/eval/evaluate_folder_dialog.h"
#include "ui/shell/main_window.h"

namespace ts {

EvaluateFolderDialog* MainWindow::evaluateFolderDialog()
{
    if (!m_evaluateDialog)
        m_evaluateDialog = new EvaluateFolderDialog(m_workspace, this);
    return m_evaluateDialog;
}

void MainWindow::evaluateFolder()
{
    EvaluateFolderDialog* dialog = evaluateFolderDialog();
    dialog->show();
    dialog->raise();
    dialog->activateWindow();
}

} // namespace ts
