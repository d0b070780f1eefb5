#pragma once
// The true class of each image of an evaluation folder, as a class index of the model's head:
// from a `file,label` CSV (file relative to the folder; label a class index or a class name; a
// header line `file,label` allowed) or from the folder-per-class layout (the sub-folder is the
// class name). Names are matched to the model's labels (core/vit/vit_api.h ModelDescription
// classNames: id2label, or ImageNet-1k's) ignoring case, `_` against space, and any of the
// comma-separated synonyms of an ImageNet name ("tabby" matches "tabby, tabby cat"). Names that
// match no label are listed, their images left out of the accuracy. Torch-free.
#include "core/reduction/image_folder.h"

#include <map>
#include <string>
#include <vector>

namespace ts {

struct ImageLabels {
    std::map<std::string, int> classOf;      // file -> class index
    std::vector<std::string> unmatched;      // label names that match no class (each once)
    std::string from;                        // "labels.csv", "class folders"
};

// Throws ts::Error naming the line of a malformed CSV or an index outside 0..classes-1.
ImageLabels labelsFromCsv(const std::string& csvPath, const std::vector<std::string>& classNames, int classes);
ImageLabels labelsFromClassFolders(const ImageFolderListing& listing, const std::vector<std::string>& classNames);

// The class index of a label name (-1 when none matches).
int matchClassName(const std::string& label, const std::vector<std::string>& classNames);

} // namespace ts
