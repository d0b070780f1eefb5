#pragma once
// Runs model work off the GUI thread, on one long-lived worker thread shared by every view
// (LibTorch's OpenMP pool is per thread, and c10::InferenceMode is thread-local). Newest request
// wins: starting a job cancels the one in flight, and only the latest generation is delivered.
#include "core/util/run_control.h"

#include <QFutureWatcher>
#include <QObject>
#include <QString>

#include <any>
#include <functional>

class QThreadPool;

namespace ts {

struct JobOutcome {
    quint64 generation = 0;
    std::any result;     // what the job returned
    QString error;       // one line, when it failed
    bool cancelled = false;
    double seconds = 0;  // wall time of the job
};

// The single worker thread every model runs on.
QThreadPool* modelThreadPool();

class JobRunner : public QObject {
    Q_OBJECT
public:
    using Job = std::function<std::any(const RunControl&)>;

    explicit JobRunner(QObject* parent = nullptr);
    ~JobRunner() override;

    // Cancels any job in flight and starts `job` on the model thread. The job runs under
    // c10::InferenceMode (opened by the core API it calls) and must poll the RunControl.
    void start(Job job);
    void cancel();
    bool isRunning() const;
    quint64 generation() const { return m_generation; }

Q_SIGNALS:
    void started();
    void progress(int done, int total, const QString& what);
    void finished(const ts::JobOutcome& outcome); // success or error; latest generation only
    void cancelled();

private:
    void onFinished();

    QFutureWatcher<JobOutcome> m_watcher;
    quint64 m_generation = 0;
};

} // namespace ts
