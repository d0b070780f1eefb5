#include "ui/labs/flops/flop_model_list.h"

#include "core/flops/flop_config.h"
#include "core/flops/flop_presets.h"
#include "core/util/error.h"
#include "ui/labs/flops/flop_model_editor.h"

#include <QHBoxLayout>
#include <QListWidget>
#include <QPushButton>
#include <QVBoxLayout>

#include <nlohmann/json.hpp>

#include <algorithm>

namespace ts {
namespace {

// Checked at start: the image models of the FIT and ToMe labs, side by side.
const char* const kDefaultPresets[] = {"vit-s16", "vit-b16", "window-vit-b16", "tome-vit-b16", "fit-vit-s16"};

bool isPresetName(const std::string& name)
{
    const std::vector<ArchSpec>& presets = flopPresets();
    return std::any_of(presets.begin(), presets.end(), [&](const ArchSpec& p) { return p.name == name; });
}

} // namespace

FlopModelList::FlopModelList(QWidget* parent) : QGroupBox(tr("Models"), parent)
{
    auto* layout = new QVBoxLayout(this);
    m_list = new QListWidget(this);
    for (const ArchSpec& spec : flopPresets()) {
        auto* item = new QListWidgetItem(QString::fromStdString(spec.name), m_list);
        item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
        const bool on = std::any_of(std::begin(kDefaultPresets), std::end(kDefaultPresets),
                                    [&](const char* n) { return spec.name == n; });
        item->setCheckState(on ? Qt::Checked : Qt::Unchecked);
        item->setToolTip(QString::fromStdString(spec.summary() + (spec.description.empty() ? "" : "\n" + spec.description)));
    }
    layout->addWidget(m_list);
    auto* edit = new QPushButton(tr("Edit…"), this);
    edit->setToolTip(tr("Edit the selected model's sizes into a custom model"));
    auto* load = new QPushButton(tr("Load…"), this);
    load->setToolTip(tr("Add the models of a FLOP config file (README, \"FLOP config files\")"));
    m_removeButton = new QPushButton(tr("Remove"), this);
    m_removeButton->setToolTip(tr("Remove the selected custom model"));
    m_removeButton->setEnabled(false);
    auto* buttons = new QHBoxLayout;
    buttons->addWidget(edit);
    buttons->addWidget(load);
    buttons->addWidget(m_removeButton);
    layout->addLayout(buttons);

    connect(m_list, &QListWidget::itemChanged, this, &FlopModelList::changed);
    connect(m_list, &QListWidget::currentRowChanged, this, [this](int row) {
        m_removeButton->setEnabled(row >= 0 && isCustom(m_list->item(row)->text().toStdString()));
    });
    connect(m_list, &QListWidget::itemDoubleClicked, this, [this] { editSelectedModel(); });
    connect(edit, &QPushButton::clicked, this, &FlopModelList::editSelectedModel);
    connect(m_removeButton, &QPushButton::clicked, this, [this] {
        if (m_list->currentItem())
            removeCustomModel(m_list->currentItem()->text().toStdString());
    });
    connect(load, &QPushButton::clicked, this, &FlopModelList::loadRequested);
}

QStringList FlopModelList::checkedNames() const
{
    QStringList names;
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->checkState() == Qt::Checked)
            names << m_list->item(i)->text();
    return names;
}

QStringList FlopModelList::setChecked(const QStringList& names)
{
    QStringList unknown;
    for (const QString& name : names)
        if (m_list->findItems(name, Qt::MatchExactly).isEmpty())
            unknown << name;
    for (int i = 0; i < m_list->count(); ++i)
        m_list->item(i)->setCheckState(names.contains(m_list->item(i)->text()) ? Qt::Checked : Qt::Unchecked);
    return unknown;
}

bool FlopModelList::isCustom(const std::string& name) const
{
    return std::any_of(m_custom.begin(), m_custom.end(), [&](const ArchSpec& s) { return s.name == name; });
}

ArchSpec FlopModelList::specFor(const std::string& name) const
{
    for (const ArchSpec& s : m_custom)
        if (s.name == name)
            return s;
    return flopPreset(name);
}

bool FlopModelList::nameTaken(const std::string& name) const
{
    for (int i = 0; i < m_list->count(); ++i)
        if (m_list->item(i)->text().toStdString() == name)
            return true;
    return false;
}

void FlopModelList::addCustomModels(const std::vector<ArchSpec>& specs, bool check)
{
    for (const ArchSpec& spec : specs)
        if (isPresetName(spec.name))
            throw Error("models: '" + spec.name + "' is a preset's name; give the custom model another name");
    for (const ArchSpec& spec : specs) {
        const QString name = QString::fromStdString(spec.name);
        const QSignalBlocker block(m_list);
        auto it = std::find_if(m_custom.begin(), m_custom.end(), [&](const ArchSpec& s) { return s.name == spec.name; });
        QListWidgetItem* item = nullptr;
        if (it != m_custom.end()) { // the same name again (a reloaded file): replace it
            *it = spec;
            item = m_list->findItems(name, Qt::MatchExactly).value(0);
        } else {
            m_custom.push_back(spec);
            item = new QListWidgetItem(name, m_list);
            item->setFlags(item->flags() | Qt::ItemIsUserCheckable);
            QFont italic = item->font();
            italic.setItalic(true);
            item->setFont(italic);
        }
        if (item) {
            item->setToolTip(tr("custom model\n") + QString::fromStdString(spec.summary()));
            item->setCheckState(check ? Qt::Checked : item->checkState());
        }
        Q_EMIT modelRedefined(spec.name);
    }
    Q_EMIT changed();
}

void FlopModelList::removeCustomModel(const std::string& name)
{
    const auto it = std::find_if(m_custom.begin(), m_custom.end(), [&](const ArchSpec& s) { return s.name == name; });
    if (it == m_custom.end())
        return;
    m_custom.erase(it);
    delete m_list->findItems(QString::fromStdString(name), Qt::MatchExactly).value(0);
    Q_EMIT changed();
}

void FlopModelList::removeAllCustomModels()
{
    while (!m_custom.empty())
        removeCustomModel(m_custom.back().name);
}

void FlopModelList::editSelectedModel()
{
    QListWidgetItem* item = m_list->currentItem();
    if (!item)
        item = m_list->item(0);
    const ArchSpec start = specFor(item->text().toStdString());
    const bool custom = isCustom(start.name);
    // Editing a custom model may keep its name; any other name must be free.
    FlopModelEditor editor(start, [this, custom, start](const std::string& name) { return !(custom && name == start.name) && nameTaken(name); },
                           this);
    if (editor.exec() != QDialog::Accepted || !editor.isValid())
        return;
    if (custom && editor.spec().name != start.name)
        removeCustomModel(start.name);
    addCustomModels({editor.spec()});
}

QByteArray FlopModelList::customModelsJson(const std::vector<ArchSpec>& specs)
{
    nlohmann::json models = nlohmann::json::array();
    for (const ArchSpec& s : specs)
        models.push_back(archSpecToJson(s));
    return QByteArray::fromStdString(nlohmann::json{{"models", models}}.dump(2));
}

} // namespace ts
