#pragma once
// Shows the FIT figure at any size: before a result, the grouping drawn over the image; after,
// the latent-attention overlays. Clicks on either panel pick a group.
#include "ui/figures/fit_overlay_figure.h"

#include <QWidget>

#include <optional>

namespace ts {

class FitView : public QWidget {
    Q_OBJECT
public:
    explicit FitView(QWidget* parent = nullptr);
    // The grouping preview (shown until an overlay is set, and while a new run goes).
    void setPreview(const QImage& image, const Grouping& grouping, int selectedGroup);
    void setOverlay(const FitOverlayData& data);
    void clear(const QString& message);
    bool hasOverlay() const { return m_overlay.has_value(); }
    const FitOverlayData* overlay() const { return m_overlay ? &*m_overlay : nullptr; }
    // The group under a widget position, or -1.
    int groupAt(const QPointF& pos) const;
    // Where panel `which` (0 left, 1 right) lies in the widget, for tests.
    QRectF panelRect(int which) const;

Q_SIGNALS:
    void groupClicked(int group);

protected:
    void paintEvent(QPaintEvent* event) override;
    void mousePressEvent(QMouseEvent* event) override;
    QSize sizeHint() const override { return {920, 560}; }

private:
    FitOverlayLayout layout() const;
    const FitOverlayData* shown() const;

    std::optional<FitOverlayData> m_overlay, m_preview;
    QString m_message;
};

} // namespace ts
