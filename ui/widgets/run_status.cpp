#include "ui/widgets/run_status.h"

#include "ui/jobs/job_runner.h"

#include <QApplication>
#include <QHBoxLayout>
#include <QShortcut>
#include <QLabel>
#include <QProgressBar>
#include <QPushButton>

namespace ts {

bool escapeMayCancel(const QWidget* widget)
{
    if (QApplication::activePopupWidget() || QApplication::activeModalWidget())
        return false; // a drop-down, menu or dialog takes the key
    return widget->isVisible(); // the shortcut's window context already asks for the active window
}

RunStatus::RunStatus(JobRunner* runner, QWidget* parent, bool escape) : QWidget(parent), m_runner(runner)
{
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    m_bar = new QProgressBar(this);
    m_bar->setMaximumWidth(220);
    m_bar->setVisible(false);
    m_cancel = new QPushButton(tr("Cancel"), this);
    m_cancel->setToolTip(tr("Stop the run in flight (Esc)"));
    m_cancel->setEnabled(false);
    // Esc cancels only when it is meant for the window: pressed to close a drop-down, a menu or a
    // dialog, it must not also stop a run (a QPushButton shortcut cannot tell).
    if (escape) {
        auto* shortcut = new QShortcut(QKeySequence(Qt::Key_Escape), this);
        shortcut->setContext(Qt::WindowShortcut);
        connect(shortcut, &QShortcut::activated, this, [this] {
            if (!escapeMayCancel(this))
                return;
            if (m_cancel->isEnabled())
                m_runner->cancel();
            for (JobRunner* other : m_alsoOnEscape)
                if (other->isRunning())
                    other->cancel();
        });
    }
    m_message = new QLabel(this);
    m_message->setTextInteractionFlags(Qt::TextSelectableByMouse);
    m_message->setWordWrap(true);
    layout->addWidget(m_bar);
    layout->addWidget(m_cancel);
    layout->addWidget(m_message, 1);

    connect(m_cancel, &QPushButton::clicked, runner, &JobRunner::cancel);
    connect(runner, &JobRunner::started, this, [this] {
        m_bar->setRange(0, 0);
        m_bar->setVisible(true);
        m_cancel->setEnabled(true);
        m_message->setText(tr("Running…"));
    });
    connect(runner, &JobRunner::progress, this, [this](int done, int total, const QString& what) {
        m_bar->setRange(0, total);
        m_bar->setValue(done);
        if (!what.isEmpty())
            m_message->setText(what);
    });
    auto idle = [this] {
        m_bar->setVisible(false);
        m_cancel->setEnabled(false);
    };
    connect(runner, &JobRunner::finished, this, [this, idle](const JobOutcome& outcome) {
        idle();
        if (!outcome.error.isEmpty())
            m_message->setText(tr("Error: %1").arg(outcome.error));
    });
    connect(runner, &JobRunner::cancelled, this, [this, idle] {
        idle();
        m_message->setText(tr("Cancelled; the previous figures are kept."));
    });
}

void RunStatus::setMessage(const QString& text) { m_message->setText(text); }

void RunStatus::alsoCancelOnEscape(JobRunner* runner) { m_alsoOnEscape << runner; }

} // namespace ts
