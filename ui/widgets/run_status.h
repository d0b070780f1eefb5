#pragma once
// A progress bar, a cancel button and a status line bound to a JobRunner: every panel that runs
// a model shows one, so long work always shows progress and can be cancelled.
#include <QList>
#include <QWidget>

class QLabel;
class QProgressBar;
class QPushButton;

namespace ts {

class JobRunner;

// Whether an Esc pressed now is meant for `widget`'s window (no popup, menu or modal dialog has
// it, the window is active and the widget shown): only then does Esc cancel a run.
bool escapeMayCancel(const QWidget* widget);

class RunStatus : public QWidget {
    Q_OBJECT
public:
    // `escape`: whether Esc cancels the run. Two statuses in one tab would make Esc ambiguous (it
    // would then reach neither): the second passes false and the first also cancels its runner.
    explicit RunStatus(JobRunner* runner, QWidget* parent = nullptr, bool escape = true);
    void alsoCancelOnEscape(JobRunner* runner);
    void setMessage(const QString& text);      // after a run: timings, errors
    QPushButton* cancelButton() const { return m_cancel; }
    QProgressBar* progressBar() const { return m_bar; }
    QLabel* messageLabel() const { return m_message; }

private:
    JobRunner* m_runner;
    QList<JobRunner*> m_alsoOnEscape;
    QProgressBar* m_bar;
    QPushButton* m_cancel;
    QLabel* m_message;
};

} // namespace ts
