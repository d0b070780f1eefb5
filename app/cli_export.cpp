#include "app/cli_export.h"

#include "core/util/error.h"
#include "core/util/printable.h"
#include "ui/figures/figure_export.h"

#include <QString>

namespace ts::cli {

double pngScale(const Args& args)
{
    if (args.has("scale") && args.has("dpi"))
        throw Error("give either --scale or --dpi, not both");
    if (args.has("dpi")) {
        const double dpi = args.number("dpi", kFigureLogicalDpi);
        if (!(dpi > 0))
            throw Error("--dpi must be positive, got " + quotedForMessage(args.value("dpi"), 40));
        if (dpi < kFigureLogicalDpi * kMinCommandScale)
            throw Error("--dpi must be at least " + QString::number(kFigureLogicalDpi * kMinCommandScale).toStdString()
                        + " (a quarter of the figure's natural size), got " + quotedForMessage(args.value("dpi"), 40));
        return scaleForDpi(dpi);
    }
    const double scale = args.number("scale", 1.0);
    if (!(scale > 0))
        throw Error("--scale must be above 0, got " + quotedForMessage(args.value("scale"), 40));
    if (scale < kMinCommandScale || scale > kMaxFigureScale)
        throw Error("--scale must be between " + QString::number(kMinCommandScale).toStdString() + " and "
                    + QString::number(kMaxFigureScale).toStdString() + ", got " + quotedForMessage(args.value("scale"), 40));
    return scale;
}

} // namespace ts::cli
