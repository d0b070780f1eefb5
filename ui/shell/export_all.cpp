#include "ui/shell/export_all.h"

#include "core/util/error.h"
#include "ui/figures/figure_export.h"
#include "ui/figures/figure_recipe.h"
#include "ui/widgets/lab_panel.h"
#include "ui/shell/session.h"

#include <QDateTime>
#include <QDir>
#include <QFileInfo>
#include <QJsonArray>
#include <QJsonDocument>
#include <QJsonObject>

#include <functional>

namespace ts {

QString exportStem(const QString& tabTitle)
{
    QString stem;
    for (const QChar c : tabTitle.toLower())
        if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
            stem += c;
    return stem.isEmpty() ? QStringLiteral("tab") : stem;
}

namespace {

// <stem>.png, .svg, .pdf of `figure` with their recipes staged into `files`; the index entry's
// figures, recipes, title and commands (each file names its own output, ui/figures/figure_recipe.h).
QJsonObject stageFigureFiles(OutputFiles& files, const QDir& dir, const Figure& figure, const QString& stem, double pngScale,
                             const std::function<QString(const QString&)>& note)
{
    QJsonArray figures, recipes;
    QJsonObject commands;
    for (const char* suffix : {".png", ".svg", ".pdf"}) {
        const QString path = dir.filePath(stem + suffix);
        stageFigure(files, figure, path, pngScale);
        figures.append(note(path));
        if (!figure.recipeJson.isEmpty())
            recipes.append(note(path + ".recipe.json"));
        if (!figure.command.isEmpty())
            commands[QFileInfo(path).fileName()] = figureCommandFor(figure, path, pngScale);
    }
    return QJsonObject{{"figures", figures}, {"recipes", recipes}, {"title", figure.title},
                       {"command", commands.value(stem + ".png")}, {"commands", commands}};
}

// Stages one lab's files (its figure in three formats with recipes, its data, the inputs its
// command reads, and each view shown beside the figure) and appends their index entries.
void stageLab(OutputFiles& files, const QDir& dir, const QString& title, const LabPanel& lab, const Figure& figure,
              double pngScale, const std::function<QString(const QString&)>& note, QJsonArray& tabs)
{
    const LabPanel* panel = &lab;
    const QString stem = exportStem(title);
    QJsonObject entry = stageFigureFiles(files, dir, figure, stem, pngScale, note);
    entry["tab"] = title;
    const QByteArray data = panel->currentDataJson();
    if (!data.isEmpty()) {
        const QString path = dir.filePath(stem + ".data.json");
        files.stage(path, data);
        entry["data"] = note(path);
    }
    const QByteArray csv = panel->currentDataCsv();
    if (!csv.isEmpty()) {
        const QString path = dir.filePath(stem + ".data.csv");
        files.stage(path, csv);
        entry["data_csv"] = note(path);
    }
    // What the command reads, so it runs from this folder as written.
    QJsonArray inputs;
    for (const auto& [name, bytes] : panel->commandInputs()) {
        const QString path = dir.filePath(name);
        files.stage(path, bytes);
        inputs.append(note(path));
    }
    if (!inputs.isEmpty())
        entry["command_inputs"] = inputs;
    tabs.append(entry);
    // Views beside the main figure (the ToMe lab's attention): an entry each, "view" naming it.
    const std::vector<ShownFigure> shown = panel->shownFigures();
    for (std::size_t k = 1; k < shown.size(); ++k) {
        const QString viewStem = stem + "_" + shown[k].name;
        QJsonObject view = stageFigureFiles(files, dir, shown[k].figure, viewStem, pngScale, note);
        view["tab"] = title;
        view["view"] = shown[k].name;
        if (!shown[k].dataJson.isEmpty()) {
            const QString path = dir.filePath(viewStem + ".data.json");
            files.stage(path, shown[k].dataJson);
            view["data"] = note(path);
        }
        tabs.append(view);
    }
}

} // namespace

QStringList exportAll(const QList<ExportLab>& labs, const Session& session, const QString& folder, double pngScale)
{
    const QFileInfo info(folder);
    if (info.exists() && !info.isDir())
        throw Error("cannot export into '" + folder.toStdString() + "': it is a file, not a folder");
    if (!QDir().mkpath(folder))
        throw Error("cannot create the folder '" + folder.toStdString() + "'");
    const QDir dir(folder);
    OutputFiles files; // one transaction: the folder gets every file or none
    QStringList written;
    const std::function<QString(const QString&)> note = [&written](const QString& path) {
        written << path;
        return QFileInfo(path).fileName();
    };

    QJsonArray tabs, skipped;
    for (const ExportLab& lab : labs) {
        const std::optional<Figure> figure = lab.panel ? lab.panel->currentFigure() : std::nullopt;
        if (!figure)
            skipped.append(lab.title); // no result yet: nothing to export
        else
            stageLab(files, dir, lab.title, *lab.panel, *figure, pngScale, note, tabs);
    }

    const QString settingsPath = dir.filePath("settings.json");
    files.stage(settingsPath, sessionToJson(session));
    note(settingsPath);

    // The index comes last: its presence says every file it lists was written completely.
    const QJsonObject index{{"tokenscope_export", 1},
                            {"created", QDateTime::currentDateTimeUtc().toString(Qt::ISODate)},
                            {"png_scale", pngScale},
                            {"settings", "settings.json"},
                            {"tabs", tabs},
                            {"without_result", skipped}};
    const QString indexPath = dir.filePath("index.json");
    files.stage(indexPath, QJsonDocument(index).toJson(QJsonDocument::Indented));
    note(indexPath);
    files.commit();
    return written;
}

} // namespace ts
