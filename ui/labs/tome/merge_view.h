#pragma once
// Shows the ToMe figure laid out in the whole widget (text at the figure type scale) and turns
// clicks on the input, the map or the lineage into patch picks. A figure left from an input that
// could not be run is marked "not updated: <reason>" until the next result replaces it (the
// mark is the view's: exports show the figure as its recipe draws it).
#include "ui/figures/merge_map_figure.h"

#include <QWidget>

namespace ts {

class MergeView : public QWidget {
    Q_OBJECT
public:
    explicit MergeView(QWidget* parent = nullptr);
    void setData(const MergeMapData& data);
    void clear(const QString& message);
    // Marks the figure shown as left from an invalid input; setData clears the mark.
    void setStale(const QString& reason);
    const MergeMapData& data() const { return m_data; }
    bool hasData() const { return !m_data.map.isNull(); }
    const QString& staleReason() const { return m_stale; }
    // The mark's text and where it is drawn (empty when not marked).
    QString staleText() const;
    QRectF staleRect() const;
    // What is laid out where: the data (without its title row when marked, the mark takes
    // that row) in the widget, less the mark's strip.
    MergeMapData shownData() const;
    QRectF figureRect() const;
    // The patch under a widget position, or -1.
    int patchAt(const QPointF& pos) const;

Q_SIGNALS:
    void patchClicked(int patch);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    QSize sizeHint() const override { return {900, 480}; }

private:
    MergeMapData m_data;
    QString m_message;
    QString m_stale;
};

} // namespace ts
