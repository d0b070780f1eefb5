#pragma once
// File › Export All: every lab tab's current figure (PNG, SVG, PDF, each with its recipe), its
// data and the session that made them, in one folder. No dialog here, so tests call it directly.
#include "ui/shell/session.h"

#include <QList>
#include <QString>
#include <QStringList>

namespace ts {

class LabPanel;

// One lab to export: its tab title (the file stem comes from it) and its panel.
struct ExportLab {
    QString title;
    const LabPanel* panel = nullptr;
};

// The file stem for a tab title: lower case letters and digits only ("FLOPs" -> "flops").
QString exportStem(const QString& tabTitle);

// Writes into `folder` (created when missing), for each lab with a figure (and each view shown
// beside it, as <stem>_<view>: the ToMe lab's attention): <stem>.png (at
// `pngScale`), <stem>.svg, <stem>.pdf, their .recipe.json files and <stem>.data.json; then
// settings.json (`session`, the document that made them) and, last, index.json listing the files
// per lab, so a
// folder with an index is complete. All files are one transaction (ui/figures/output_files.h):
// each is written to a temporary file and checked, then all are renamed into place, so a failure
// (a full disk, an unwritable file) leaves the folder as it was, earlier exports intact. Returns the paths written, in order. Throws ts::Error with a
// one-line message when the folder cannot be made or a file cannot be written.
QStringList exportAll(const QList<ExportLab>& labs, const Session& session, const QString& folder,
                      double pngScale = 1.0);

} // namespace ts
