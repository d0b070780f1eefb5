#pragma once
// Measures how long the GUI thread's event loop goes without running: a precise timer ticks
// every few milliseconds while the probe is active and the longest gap between two ticks is
// kept. A gap much longer than the interval means the event loop was blocked (a slot, a paint
// or a conversion that ran too long) and the window would have felt frozen for that time.
#include <QElapsedTimer>
#include <QObject>
#include <QTimer>

namespace ts::test {

class StallProbe : public QObject {
public:
    explicit StallProbe(int intervalMs = 5, QObject* parent = nullptr);

    void start(); // resets the measurements
    void stop();
    bool isActive() const { return m_timer.isActive(); }

    // The longest time between two consecutive ticks (and from the last tick to stop()), in ms.
    double longestGapMs() const { return m_longestNs / 1e6; }
    // When, in ms after start(), the longest gap ended (for messages).
    double longestGapAtMs() const { return m_longestAtNs / 1e6; }
    int ticks() const { return m_ticks; }
    int intervalMs() const { return m_timer.interval(); }

private:
    void tick();

    QTimer m_timer;
    QElapsedTimer m_clock;
    qint64 m_lastNs = 0;
    qint64 m_longestNs = 0;
    qint64 m_longestAtNs = 0;
    int m_ticks = 0;
};

} // namespace ts::test
