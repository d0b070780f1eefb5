#pragma once
// Lab settings (core/settings/lab_settings.h) in a session's Qt JSON: each panel's saveState is
// its settings' JSON and restoreState reads them back, reporting what it could not use.
#include "core/settings/settings_json.h"

#include <QJsonDocument>
#include <QJsonObject>
#include <QString>
#include <QStringList>

#include <initializer_list>

namespace ts {

inline QJsonObject toQJson(const nlohmann::json& j)
{
    return QJsonDocument::fromJson(QByteArray::fromStdString(j.dump())).object();
}

inline nlohmann::json fromQJson(const QJsonObject& o)
{
    return nlohmann::json::parse(QJsonDocument(o).toJson(QJsonDocument::Compact).toStdString(), nullptr, false);
}

// Reads `state` into `settings` (fields absent or unusable keep their values); returns one line per
// field it could not use, prefixed with the lab's name ("FIT: group_size: ...").
template <class Settings>
QStringList readSettings(const QJsonObject& state, Settings& settings, const QString& lab)
{
    std::vector<std::string> problems;
    fromJson(fromQJson(state), settings, problems);
    QStringList out;
    for (const std::string& p : problems)
        out << lab + ": " + QString::fromStdString(p);
    return out;
}

// A lab's settings as a session stores them: without `workspaceKeys`, which the workspace holds
// for every lab and the session stores once, at its top level.
template <class Settings>
QJsonObject sessionState(const Settings& settings, std::initializer_list<const char*> workspaceKeys = {"model", "image"})
{
    QJsonObject o = toQJson(toJson(settings));
    for (const char* key : workspaceKeys)
        o.remove(key);
    return o;
}

// A panel's restoreState: `state` read over the panel's current settings, which it then applies.
template <class Panel>
QStringList restoreSessionState(Panel& panel, const QJsonObject& state, const QString& lab)
{
    auto settings = panel.settings();
    const QStringList problems = readSettings(state, settings, lab);
    panel.applySettings(settings);
    return problems;
}

} // namespace ts
