#include "ui/widgets/lab_layout.h"

#include <QHBoxLayout>
#include <QLabel>
#include <QScrollArea>
#include <QSpinBox>
#include <QTimer>
#include <QVBoxLayout>

namespace ts {

QLabel* makeInfoLabel(QWidget* parent)
{
    auto* info = new QLabel(parent);
    info->setWordWrap(true);
    info->setTextInteractionFlags(Qt::TextSelectableByMouse);
    info->setAlignment(Qt::AlignTop | Qt::AlignLeft);
    info->setMinimumWidth(260);
    return info;
}

QScrollArea* scrollingView(QWidget* view, QWidget* parent)
{
    auto* area = new QScrollArea(parent);
    area->setWidget(view);
    area->setWidgetResizable(true);
    area->setFrameShape(QFrame::NoFrame);
    return area;
}

void layOutLab(QWidget* panel, QWidget* view, std::initializer_list<QWidget*> controlGroups, QLabel* info, QWidget* status)
{
    auto* side = new QVBoxLayout;
    for (QWidget* group : controlGroups)
        side->addWidget(group);
    side->addWidget(info, 1);
    auto* top = new QHBoxLayout;
    top->addWidget(view, 1);
    top->addLayout(side);
    auto* layout = new QVBoxLayout(panel);
    layout->addLayout(top, 1);
    layout->addWidget(status);
}

QSpinBox* makeSpin(QWidget* parent, int lo, int hi, int value, const QString& tip)
{
    auto* s = new QSpinBox(parent);
    s->setRange(lo, hi);
    s->setValue(value);
    s->setToolTip(tip);
    return s;
}

QTimer* makeDebounce(QWidget* parent, int milliseconds)
{
    auto* timer = new QTimer(parent);
    timer->setSingleShot(true);
    timer->setInterval(milliseconds);
    return timer;
}

} // namespace ts
