#pragma once
// The Compare figure: token-reduction methods at one FLOP budget on one image, side by side: each
// method's merged-token map after the last block with its GFLOPs and agreement with the
// unreduced model, and every method's tokens per block on one chart. Data in, painter out, as
// the other figures; the command line's `compare --out` draws it.
#include "core/reduction/compare_api.h"
#include "ui/figures/figure_export.h"

#include <nlohmann/json.hpp>

#include <QImage>
#include <QString>
#include <QStringList>

#include <vector>

namespace ts {

struct ComparePanel {
    QImage map;            // merged-token map after the last block
    QString title;         // method and GFLOPs
    QString agreement;     // cosine, KL, top-1
    std::vector<int> tokens; // tokens after each block (0 = input)
};

struct CompareData {
    std::vector<ComparePanel> panels;
    QString caption;       // model, weights, budget
};

CompareData compareData(const CompareResult& result, double targetFlops);
QSizeF compareNaturalSize(int panels);
void paintCompare(QPainter& painter, const QRectF& target, const CompareData& data);

// The figure; `recipeArguments` is the command that draws it (without --out, which the export adds).
Figure compareFigure(const CompareResult& result, double targetFlops, const nlohmann::json& settings,
                     const std::vector<std::string>& recipeArguments);

} // namespace ts
