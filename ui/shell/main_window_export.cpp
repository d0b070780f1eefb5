// The main window's figure and data exports (File > Export Figure, Export Data, Export All, Copy
// Figure): the dialogs that ask for a file, a figure, a resolution or a folder, around the
// functions that write (ui/figures/figure_export.h, ui/shell/export_all.h).
#include "core/util/error.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/output_files.h"
#include "ui/shell/export_all.h"
#include "ui/shell/main_window.h"
#include "ui/widgets/lab_panel.h"

#include <QApplication>
#include <QClipboard>
#include <QFileDialog>
#include <QInputDialog>
#include <QMessageBox>
#include <QStatusBar>

#include <algorithm>

namespace ts {

// The PNG resolution asked for in a dialog: 1x, 2x or a chosen DPI; nullopt when cancelled.
std::optional<double> MainWindow::askPngScale()
{
    bool ok = false;
    const QStringList choices{tr("1x (96 DPI)"), tr("2x (192 DPI)"), tr("Chosen DPI…")};
    const QString choice = QInputDialog::getItem(this, tr("PNG Resolution"), tr("Resolution"), choices, 1, false, &ok);
    if (!ok)
        return std::nullopt;
    if (choice != choices[2])
        return choice == choices[1] ? 2.0 : 1.0;
    const int dpi = QInputDialog::getInt(this, tr("PNG Resolution"), tr("Dots per inch"), 300, 24,
                                         int(kFigureLogicalDpi * kMaxFigureScale), 1, &ok);
    if (!ok)
        return std::nullopt;
    return scaleForDpi(dpi);
}

// The figure to export: the lab's only one, or the one chosen where it shows several (the ToMe
// map and its attention view); nullopt when there is none or the choice was cancelled.
std::optional<Figure> MainWindow::chooseShownFigure()
{
    LabPanel* panel = currentPanel();
    const std::vector<ShownFigure> shown = panel ? panel->shownFigures() : std::vector<ShownFigure>();
    if (shown.empty()) {
        QMessageBox::information(this, tr("Export Figure"), tr("There is no figure to export yet."));
        return std::nullopt;
    }
    if (shown.size() == 1)
        return shown.front().figure;
    QStringList labels;
    for (const ShownFigure& f : shown)
        labels << f.label;
    bool ok = false;
    const QString choice = QInputDialog::getItem(this, tr("Export Figure"), tr("Figure"), labels, 0, false, &ok);
    if (!ok)
        return std::nullopt;
    return shown[static_cast<std::size_t>(std::max(0, static_cast<int>(labels.indexOf(choice))))].figure;
}

void MainWindow::exportFigureDialog()
{
    const std::optional<Figure> figure = chooseShownFigure();
    if (!figure)
        return;
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Figure"), QStringLiteral("tokenscope_figure.png"),
                                                      tr("PNG image (*.png);;SVG vector (*.svg);;PDF document (*.pdf)"));
    if (path.isEmpty())
        return;
    double scale = 1.0;
    if (path.endsWith(".png", Qt::CaseInsensitive)) {
        const std::optional<double> chosen = askPngScale();
        if (!chosen)
            return;
        scale = *chosen;
    }
    try {
        ts::exportFigure(*figure, path, scale);
        statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Export Figure"), QString::fromStdString(e.what()));
    }
}

void MainWindow::exportDataDialog()
{
    LabPanel* panel = currentPanel();
    const QByteArray json = panel ? panel->currentDataJson() : QByteArray();
    if (json.isEmpty()) {
        QMessageBox::information(this, tr("Export Data"), tr("There is no data to export yet."));
        return;
    }
    const bool csv = !panel->currentDataCsv().isEmpty();
    const QString path = QFileDialog::getSaveFileName(this, tr("Export Data"), QStringLiteral("tokenscope_data.json"),
                                                      csv ? tr("JSON (*.json);;CSV (*.csv)") : tr("JSON (*.json)"));
    if (path.isEmpty())
        return;
    try {
        // The suffix picks the format; anything but .csv gets the JSON.
        writeFileAtomically(path, csv && path.endsWith(".csv", Qt::CaseInsensitive) ? panel->currentDataCsv() : json);
        statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Export Data"), QString::fromStdString(e.what()));
    }
}

void MainWindow::exportAllDialog()
{
    // A folder that does not exist yet may be typed: exportAll creates it and its parents.
    QFileDialog dialog(this, tr("Export All Into Folder"));
    dialog.setFileMode(QFileDialog::AnyFile);
    dialog.setAcceptMode(QFileDialog::AcceptSave);
    dialog.setOption(QFileDialog::ShowDirsOnly);
    dialog.setLabelText(QFileDialog::Accept, tr("Export Here"));
    if (dialog.exec() != QDialog::Accepted || dialog.selectedFiles().isEmpty())
        return;
    const QString folder = dialog.selectedFiles().front();
    try {
        const QStringList files = exportAll(labsForExport(), currentSession(), folder);
        statusBar()->showMessage(tr("Exported %1 files to %2").arg(files.size()).arg(folder), 5000);
    } catch (const std::exception& e) {
        QMessageBox::warning(this, tr("Export All"), QString::fromStdString(e.what()));
    }
}

void MainWindow::copyFigure()
{
    LabPanel* panel = currentPanel();
    if (std::optional<Figure> figure = panel ? panel->currentFigure() : std::nullopt)
        QApplication::clipboard()->setImage(renderFigure(*figure, 2.0));
}

} // namespace ts
