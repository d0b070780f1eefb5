#pragma once
// The images of a folder to evaluate: every file at its top level and one level down (the
// folder-per-class layout of torchvision's ImageFolder, `DIR/<class>/<image>`), sorted by path so
// every run and every resume sees them in the same order. A file whose name does not end in an
// image suffix is listed as skipped with its reason here; one that ends in one but cannot be
// decoded is skipped (with loadImage's message) when it is read. Nothing is fatal but a folder
// that does not exist. Torch-free.
#include <string>
#include <vector>

namespace ts {

struct SkippedFile {
    std::string file;   // relative to the folder
    std::string reason; // one line
};

struct FolderImage {
    std::string file;        // relative to the folder ("a.png", "tabby/b.jpg")
    std::string classFolder; // the sub-folder holding it ("" at the top level)
    std::string stamp;       // "<bytes>:<modification time>": an edited file is a new image
};

struct ImageFolderListing {
    std::string folder;
    std::vector<FolderImage> images;
    std::vector<SkippedFile> skipped;
    // Some image lies in a sub-folder: the sub-folders are the class names (as in torchvision's
    // ImageFolder; images at the top level then carry no label).
    bool classFolders() const;
};

// Throws ts::Error when `folder` is not a readable folder or holds no image at all.
ImageFolderListing listImageFolder(const std::string& folder);

// Whether a file name ends in a suffix the image loader reads (.png, .jpg, .jpeg, .bmp, .tif,
// .tiff, .webp, .gif, .ppm, .pgm; any case).
bool hasImageSuffix(const std::string& name);

} // namespace ts
