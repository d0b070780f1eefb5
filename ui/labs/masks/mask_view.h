#pragma once
// Shows one to three attention masks side by side at the same scale (ui/figures/mask_figure.h),
// zooms with the wheel around the cursor, pans by dragging, and reports the query, key and key
// kind under the cursor. The masks are torch-free structures, so everything runs on the GUI thread:
// a view re-rasterises only the visible region at its own pixel size.
#include "core/masks/attention_mask.h"
#include "core/masks/mask_raster.h"
#include "ui/figures/mask_figure.h"

#include <QWidget>

#include <memory>
#include <optional>
#include <vector>

namespace ts {

class MaskView : public QWidget {
    Q_OBJECT
public:
    explicit MaskView(QWidget* parent = nullptr);

    // Shows these masks over their whole extent (the first one's) at `width` for the cost, with
    // block boundaries every `block` (BSWA, FAM) or `group` (FIT) data tokens.
    void setMasks(std::vector<std::shared_ptr<const AttentionMask>> masks, int width, std::int64_t block = 0,
                  std::int64_t group = 0);
    // Zoom / pan programmatically (clipped to the first mask); for tests and "reset".
    void setRegion(const MaskRegion& region);
    void resetZoom();
    const MaskRegion& region() const { return m_region; }
    const MaskFigureData& figureData() const { return m_data; }
    // The text shown for a point (empty outside the panels): the position under it, with its data
    // token where the layout adds positions (FAM), and the key's kind. Hovering also marks the
    // same data token in every panel (on screen only).
    QString readoutAt(const QPointF& point) const;
    // The figure as currently shown (no recipe: the mask panel adds it from its settings).
    Figure figure() const;
    // The view's part of the settings behind the panels drawn: pixels and panel side from the
    // widget's size when they were made, the zoom.
    const MaskSettings& viewSettings() const { return m_shown; }

Q_SIGNALS:
    void hovered(const QString& text);
    void regionChanged();

protected:
    void paintEvent(QPaintEvent* event) override;
    void resizeEvent(QResizeEvent* event) override;
    void wheelEvent(QWheelEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    void mouseMoveEvent(QMouseEvent* event) override;
    void mouseReleaseEvent(QMouseEvent* event) override;
    void mouseDoubleClickEvent(QMouseEvent* event) override;
    void leaveEvent(QEvent* event) override;

private:
    void rebuild();
    MaskSettings settingsForSize(int side) const;
    void paintHoverMarks(QPainter& painter) const;
    // Panel index and (query, key) under a point; false outside the panels.
    bool hit(const QPointF& point, int* panel, double* query, double* key) const;

    std::vector<std::shared_ptr<const AttentionMask>> m_masks;
    int m_width = 384;
    std::int64_t m_block = 0, m_group = 0;
    std::optional<QPointF> m_hoverPoint;
    MaskRegion m_region;
    MaskFigureData m_data;
    MaskSettings m_shown;
    bool m_dragging = false;
    QPointF m_dragStart;
    MaskRegion m_dragRegion;
};

} // namespace ts
