#pragma once
// The FLOP lab's model list: every preset (core/flops/flop_presets.h) and the user's custom
// models (from the model editor or a FLOP config file, in italics), each with a check box, and
// the Edit / Load / Remove buttons. Custom models may not take a preset's name; one of the same
// name as an existing custom model replaces it (a reloaded file).
#include "core/flops/arch_spec.h"

#include <QGroupBox>
#include <QStringList>

#include <string>
#include <vector>

class QListWidget;
class QPushButton;

namespace ts {

class FlopModelList : public QGroupBox {
    Q_OBJECT
public:
    explicit FlopModelList(QWidget* parent = nullptr);

    QListWidget* list() const { return m_list; }
    QStringList checkedNames() const;
    // Checks exactly the listed names; returns the names not in the list.
    QStringList setChecked(const QStringList& names);
    bool isCustom(const std::string& name) const;
    ArchSpec specFor(const std::string& name) const; // custom model or preset (ts::Error if neither)
    bool nameTaken(const std::string& name) const;   // by any listed model
    const std::vector<ArchSpec>& customModels() const { return m_custom; }

    // Throws ts::Error for a preset's name (before changing anything).
    void addCustomModels(const std::vector<ArchSpec>& specs, bool check = true);
    void removeCustomModel(const std::string& name);
    void removeAllCustomModels();
    void editSelectedModel(); // opens the model editor (modal)

    // {"models": [...]} for custom models, as a config file holds them.
    static QByteArray customModelsJson(const std::vector<ArchSpec>& specs);

Q_SIGNALS:
    void changed();                            // a check box, or the list itself
    void modelRedefined(const std::string& name); // its earlier measurements no longer apply
    void loadRequested();                      // the Load button

private:
    QListWidget* m_list;
    QPushButton* m_removeButton;
    std::vector<ArchSpec> m_custom;
};

} // namespace ts
