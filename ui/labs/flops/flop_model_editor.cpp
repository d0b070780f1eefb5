#include "ui/labs/flops/flop_model_editor.h"

#include "core/flops/flop_config.h"
#include "core/util/error.h"

#include <QDialogButtonBox>
#include <QFontDatabase>
#include <QLabel>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QVBoxLayout>

namespace ts {

FlopModelEditor::FlopModelEditor(const ArchSpec& start, std::function<bool(const std::string&)> nameTaken, QWidget* parent)
    : QDialog(parent), m_nameTaken(std::move(nameTaken))
{
    setWindowTitle(tr("Edit FLOP model"));
    auto* intro = new QLabel(tr("The model as a config-file object (README, \"FLOP config files\"). Change any size; "
                                "give it a new name. Unknown keys and impossible sizes are reported as you type."),
                             this);
    intro->setWordWrap(true);
    m_text = new QPlainTextEdit(this);
    m_text->setFont(QFontDatabase::systemFont(QFontDatabase::FixedFont));
    m_text->setMinimumSize(460, 360);
    ArchSpec edited = start;
    if (m_nameTaken && m_nameTaken(edited.name)) // a preset's name is taken by the preset itself
        edited.name += "-custom";
    m_text->setPlainText(QString::fromStdString(archSpecToJson(edited).dump(2)));
    m_message = new QLabel(this);
    m_message->setWordWrap(true);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_buttons = new QDialogButtonBox(QDialogButtonBox::Ok | QDialogButtonBox::Cancel, this);
    auto* layout = new QVBoxLayout(this);
    layout->addWidget(intro);
    layout->addWidget(m_text, 1);
    layout->addWidget(m_message);
    layout->addWidget(m_buttons);
    connect(m_buttons, &QDialogButtonBox::accepted, this, &QDialog::accept);
    connect(m_buttons, &QDialogButtonBox::rejected, this, &QDialog::reject);
    connect(m_text, &QPlainTextEdit::textChanged, this, &FlopModelEditor::check);
    check();
}

void FlopModelEditor::check()
{
    m_valid = false;
    QString message;
    try {
        const std::vector<ArchSpec> specs = parseFlopConfig(m_text->toPlainText().toStdString(), "model");
        if (specs.size() != 1)
            throw Error("model: give exactly one model object");
        if (m_nameTaken && m_nameTaken(specs.front().name))
            throw Error("model: name '" + specs.front().name + "' is already used; choose another");
        m_spec = specs.front();
        m_valid = true;
        message = tr("✓ %1").arg(QString::fromStdString(m_spec.summary()));
    } catch (const std::exception& e) {
        message = QString::fromUtf8("✗ ") + QString::fromUtf8(e.what());
    }
    m_message->setText(message);
    m_buttons->button(QDialogButtonBox::Ok)->setEnabled(m_valid);
}

} // namespace ts
