#pragma once
// Shows the ToMe figure at any window size and turns clicks on either panel into patch picks.
#include "ui/figures/merge_map_figure.h"

#include <QWidget>

namespace ts {

class MergeView : public QWidget {
    Q_OBJECT
public:
    explicit MergeView(QWidget* parent = nullptr);
    void setData(const MergeMapData& data);
    void clear(const QString& message);
    const MergeMapData& data() const { return m_data; }
    bool hasData() const { return !m_data.right.isNull(); }
    // The patch under a widget position, or -1.
    int patchAt(const QPointF& pos) const;

Q_SIGNALS:
    void patchClicked(int patch);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    QSize sizeHint() const override { return {900, 560}; }

private:
    MergeMapData m_data;
    QString m_message;
};

} // namespace ts
