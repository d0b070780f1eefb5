#include "core/reduction/image_folder.h"

#include "core/util/error.h"
#include "core/util/printable.h"

#include <algorithm>
#include <cctype>
#include <filesystem>

namespace ts {
namespace fs = std::filesystem;
namespace {

std::string stampOf(const fs::path& p)
{
    std::error_code ec;
    const auto bytes = fs::file_size(p, ec);
    const auto time = fs::last_write_time(p, ec).time_since_epoch().count();
    return std::to_string(ec ? 0 : bytes) + ":" + std::to_string(ec ? 0 : time);
}

// One folder's regular files (sorted), images or skipped; sub-folders only from the top level.
void listInto(const fs::path& root, const fs::path& dir, ImageFolderListing& out, std::vector<fs::path>* subfolders)
{
    std::error_code ec;
    std::vector<fs::path> entries;
    for (fs::directory_iterator it(dir, ec), end; !ec && it != end; it.increment(ec))
        entries.push_back(it->path());
    std::sort(entries.begin(), entries.end());
    for (const fs::path& p : entries) {
        const std::string rel = fs::relative(p, root, ec).generic_string();
        if (fs::is_directory(p, ec)) {
            if (subfolders)
                subfolders->push_back(p);
            else
                out.skipped.push_back({rel, "a folder two levels down (only DIR/<class>/<image> is read)"});
        } else if (!fs::is_regular_file(p, ec)) {
            out.skipped.push_back({rel, "not a regular file"});
        } else if (!hasImageSuffix(p.filename().string())) {
            out.skipped.push_back({rel, "not an image (suffix " + quotedForMessage(p.extension().string()) + ")"});
        } else {
            out.images.push_back({rel, subfolders ? std::string() : dir.filename().string(), stampOf(p)});
        }
    }
}

} // namespace

bool ImageFolderListing::classFolders() const
{
    return std::any_of(images.begin(), images.end(), [](const FolderImage& i) { return !i.classFolder.empty(); });
}

bool hasImageSuffix(const std::string& name)
{
    std::string ext = fs::path(name).extension().string();
    std::transform(ext.begin(), ext.end(), ext.begin(), [](unsigned char c) { return std::tolower(c); });
    for (const char* known : {".png", ".jpg", ".jpeg", ".bmp", ".tif", ".tiff", ".webp", ".gif", ".ppm", ".pgm"})
        if (ext == known)
            return true;
    return false;
}

ImageFolderListing listImageFolder(const std::string& folder)
{
    std::error_code ec;
    if (folder.empty() || !fs::is_directory(folder, ec))
        throw Error("eval: " + quotedForMessage(folder) + " is not a folder");
    ImageFolderListing out;
    out.folder = folder;
    std::vector<fs::path> subfolders;
    listInto(folder, folder, out, &subfolders);
    for (const fs::path& sub : subfolders)
        listInto(folder, sub, out, nullptr);
    std::sort(out.images.begin(), out.images.end(), [](const FolderImage& a, const FolderImage& b) { return a.file < b.file; });
    if (out.images.empty())
        throw Error("eval: the folder " + quotedForMessage(folder) + " holds no image (" + std::to_string(out.skipped.size())
                    + " other files)");
    return out;
}

} // namespace ts
