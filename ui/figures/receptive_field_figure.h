#pragma once
// The receptive-field figure (TransformerFAM Fig. 1(d)): for one query, the positions whose
// information can reach it after 1, 2, ..., D layers, one bar per depth over the whole sequence.
// For FAM the bar says "unbounded" (the feedback memory carries every earlier block).
#include "core/masks/attention_mask.h"
#include "core/masks/receptive_field.h"
#include "ui/figures/figure_export.h"

#include <QString>

#include <vector>

namespace ts {

struct ReceptiveFieldData {
    QString title;
    std::int64_t positions = 0; // the sequence (layout) length
    std::int64_t query = 0;
    std::vector<ReceptiveField> fields; // depth 1..D
};

// Throws ts::Error for rectangular masks or a bad query / depth.
ReceptiveFieldData receptiveFieldData(const AttentionMask& mask, std::int64_t query, int depth);

QSizeF receptiveFieldNaturalSize(const ReceptiveFieldData& data);
void paintReceptiveField(QPainter& painter, const QRectF& target, const ReceptiveFieldData& data);
Figure receptiveFieldFigure(const ReceptiveFieldData& data, const QString& command);

} // namespace ts
