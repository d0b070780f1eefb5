#pragma once
// For the session and export tests: non-default values of every control of every lab (a ViT-Ti
// with custom normalisation, optionally from a checkpoint; an inflection schedule, opacity,
// borders and a selected patch; FIT sizes, AR masks and an overlay; a FAM overlay; three masks
// compared, zoomed; a custom FLOP model in the ratio view; three reduction methods compared at a
// budget, PiToMe's margin and ATC's linkage set, a block and a lineage shown).
#include "core/flops/flop_presets.h"
#include "core/vit/vit_api.h"
#include "ui/labs/compare/compare_panel.h"
#include "ui/labs/fam/fam_panel.h"
#include "ui/labs/fit/fit_panel.h"
#include "ui/labs/flops/flop_panel.h"
#include "ui/shell/main_window.h"
#include "ui/labs/masks/mask_panel.h"
#include "ui/labs/tome/tome_panel.h"
#include "ui/shell/workspace.h"

#include <QComboBox>
#include <QLineEdit>
#include <QListWidget>
#include <QTabWidget>

namespace ts::test {

// Non-default values of every control of every lab.
inline void setEveryLab(MainWindow& w, const QString& checkpoint = {})
{
    ModelSource s = w.workspace()->modelSource();
    s.preset = "vit-ti16";
    s.seed = 11;
    if (!checkpoint.isEmpty()) {
        // A checkpoint written with the app's own safetensors writer (as File > Save Weights does).
        saveVitCheckpoint(*buildVit(s), checkpoint.toStdString());
        s.checkpoint = checkpoint.toStdString();
    }
    w.workspace()->setModelSource(s);
    Normalisation n;
    n.mean[0] = n.mean[1] = n.mean[2] = 0.5f;
    n.std[0] = n.std[1] = n.std[2] = 0.25f;
    w.workspace()->setNormalisation(n);

    ToMeSettings t = w.findChild<ToMePanel*>()->settings();
    t.schedule = ToMeSettings::Schedule::Inflection;
    t.r = 6;
    t.inflection = 0.25;
    t.proportionalAttention = false;
    t.layer = 5;
    t.opacity = 0.4;
    t.borders = false;
    t.selectedPatch = 30;
    w.findChild<ToMePanel*>()->applySettings(t);

    FitSettings f = w.findChild<FitPanel*>()->settings();
    f.groupSize = 3;
    f.latents = 2;
    f.latentWidth = 128;
    f.pattern = "L1G1L1G1";
    f.size = 224;
    f.autoregressive = true;
    f.block = 0;
    f.group = 2;
    f.latent = 1;
    f.range = FitSettings::Range::Data;
    w.findChild<FitPanel*>()->applySettings(f);

    FamSettings a = w.findChild<FamPanel*>()->settings();
    a.block = 20;
    a.memory = 2;
    a.fam = 3;
    a.overlayBlock = 3;
    a.layer = 4;
    a.query = 7; // a token of the block, not the FAM queries' mean
    w.findChild<FamPanel*>()->applySettings(a);

    MaskSettings m = w.findChild<MaskPanel*>()->settings();
    m.kinds = {"swa", "causal", "fit"};
    m.length = 40;
    m.window = 5;
    m.block = 4;
    m.memory = 2;
    m.fam = 2;
    m.group = 4;
    m.latents = 2;
    m.causal = false;
    m.autoregressive = true;
    m.width = 128;
    m.depth = 3;
    m.region[0] = 2;
    m.region[1] = 30;
    m.region[2] = 1;
    m.region[3] = 35;
    w.findChild<MaskPanel*>()->applySettings(m);

    auto* flops = w.findChild<FlopPanel*>();
    ArchSpec custom = flopPreset("vit-ti16");
    custom.name = "vit-ti16-shallow";
    custom.depth = 2;
    flops->addCustomModels({custom});
    QListWidget* list = flops->presetList();
    for (int i = 0; i < list->count(); ++i)
        list->item(i)->setCheckState(list->item(i)->text() == "vit-b16" || list->item(i)->text() == custom.name.c_str()
                                         ? Qt::Checked
                                         : Qt::Unchecked);
    flops->lengthsEdit()->setText("64,256,1024");
    flops->conventionBox()->setCurrentIndex(flops->conventionBox()->findData("macs"));
    flops->modeBox()->setCurrentIndex(1);
    flops->referenceBox()->setCurrentIndex(flops->referenceBox()->findText(custom.name.c_str()));
    flops->measureLimitBox()->setCurrentIndex(flops->measureLimitBox()->findData(256LL));

    CompareSettings c = w.findChild<ComparePanel*>()->settings();
    c.methods = {ReductionMethod::ToMe, ReductionMethod::PiToMe, ReductionMethod::Atc};
    c.fraction = 0.65;
    c.margin = 0.85;
    c.linkage = Linkage::Single;
    c.layer = 8;
    c.selectedPatch = 20;
    w.findChild<ComparePanel*>()->applySettings(c);
    w.tabs()->setCurrentIndex(3);
}

} // namespace ts::test
