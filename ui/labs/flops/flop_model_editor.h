#pragma once
// Edits one FLOP model as its config-file JSON (README "FLOP config files"): starts from a preset
// or custom model, checks the text on every keystroke with the same parser `tokenscope flops
// --config` uses (the message names the bad field), and offers OK only for a valid model whose
// name does not clash with one already listed.
#include "core/flops/arch_spec.h"

#include <QDialog>

#include <functional>

class QDialogButtonBox;
class QLabel;
class QPlainTextEdit;

namespace ts {

class FlopModelEditor : public QDialog {
    Q_OBJECT
public:
    // `nameTaken(name)` says whether another model already uses a name.
    FlopModelEditor(const ArchSpec& start, std::function<bool(const std::string&)> nameTaken, QWidget* parent = nullptr);

    QPlainTextEdit* textEdit() const { return m_text; }
    QLabel* messageLabel() const { return m_message; }
    bool isValid() const { return m_valid; }
    const ArchSpec& spec() const { return m_spec; } // the last valid model

private:
    void check();

    std::function<bool(const std::string&)> m_nameTaken;
    QPlainTextEdit* m_text;
    QLabel* m_message;
    QDialogButtonBox* m_buttons;
    ArchSpec m_spec;
    bool m_valid = false;
};

} // namespace ts
