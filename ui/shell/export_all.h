#pragma once
// File › Export All: every lab tab's current figure (PNG, SVG, PDF, each with its recipe), its
// data and the session that made them, in one folder. No dialog here, so tests call it directly.
#include <QString>
#include <QStringList>

namespace ts {

class MainWindow;

// The file stem for a tab title: lower case letters and digits only ("FLOPs" -> "flops").
QString exportStem(const QString& tabTitle);

// Writes into `folder` (created when missing), for each tab with a figure (and each view shown
// beside it, as <stem>_<view>: the ToMe lab's attention): <stem>.png (at
// `pngScale`), <stem>.svg, <stem>.pdf, their .recipe.json files and <stem>.data.json; then
// settings.json (the session document) and, last, index.json listing the files per tab, so a
// folder with an index is complete. All files are one transaction (ui/figures/output_files.h):
// each is written to a temporary file and checked, then all are renamed into place, so a failure
// (a full disk, an unwritable file) leaves the folder as it was, earlier exports intact. Returns the paths written, in order. Throws ts::Error with a
// one-line message when the folder cannot be made or a file cannot be written.
QStringList exportAll(const MainWindow& window, const QString& folder, double pngScale = 1.0);

} // namespace ts
