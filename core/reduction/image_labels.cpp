#include "core/reduction/image_labels.h"

#include "core/util/error.h"
#include "core/util/printable.h"

#include <algorithm>
#include <cctype>
#include <fstream>
#include <set>
#include <sstream>

namespace ts {
namespace {

std::string trimmed(const std::string& s)
{
    const auto first = s.find_first_not_of(" \t\r\n\"");
    const auto last = s.find_last_not_of(" \t\r\n\"");
    return first == std::string::npos ? std::string() : s.substr(first, last - first + 1);
}

std::string normalised(const std::string& s)
{
    std::string out;
    for (unsigned char c : trimmed(s))
        out += c == '_' ? ' ' : static_cast<char>(std::tolower(c));
    return out;
}

bool isIndex(const std::string& s)
{
    return !s.empty() && s.size() < 10 && std::all_of(s.begin(), s.end(), [](unsigned char c) { return std::isdigit(c); });
}

void addUnmatched(ImageLabels& labels, const std::string& name)
{
    if (std::find(labels.unmatched.begin(), labels.unmatched.end(), name) == labels.unmatched.end())
        labels.unmatched.push_back(name);
}

} // namespace

int matchClassName(const std::string& label, const std::vector<std::string>& classNames)
{
    const std::string want = normalised(label);
    if (want.empty())
        return -1;
    for (std::size_t i = 0; i < classNames.size(); ++i) {
        if (normalised(classNames[i]) == want)
            return static_cast<int>(i);
        std::stringstream synonyms(classNames[i]);
        std::string one;
        while (std::getline(synonyms, one, ','))
            if (normalised(one) == want)
                return static_cast<int>(i);
    }
    return -1;
}

ImageLabels labelsFromCsv(const std::string& csvPath, const std::vector<std::string>& classNames, int classes)
{
    std::ifstream in(csvPath);
    if (!in)
        throw Error("eval: cannot read the labels file " + quotedForMessage(csvPath));
    ImageLabels out;
    out.from = csvPath;
    std::string line;
    for (int number = 1; std::getline(in, line); ++number) {
        if (trimmed(line).empty())
            continue;
        const auto comma = line.rfind(',');
        if (comma == std::string::npos)
            throw Error("eval: " + quotedForMessage(csvPath) + " line " + std::to_string(number) + ": expected file,label");
        const std::string file = trimmed(line.substr(0, comma)), label = trimmed(line.substr(comma + 1));
        if (number == 1 && normalised(file) == "file" && normalised(label) == "label")
            continue;
        int index = -1;
        if (isIndex(label)) {
            index = std::stoi(label);
            if (index >= classes)
                throw Error("eval: " + quotedForMessage(csvPath) + " line " + std::to_string(number) + ": class " + label
                            + " outside 0.." + std::to_string(classes - 1));
        } else {
            index = matchClassName(label, classNames);
        }
        if (index < 0)
            addUnmatched(out, label);
        else
            out.classOf[file] = index;
    }
    return out;
}

ImageLabels labelsFromClassFolders(const ImageFolderListing& listing, const std::vector<std::string>& classNames)
{
    ImageLabels out;
    out.from = "class folders";
    for (const FolderImage& image : listing.images) {
        if (image.classFolder.empty())
            continue; // at the top level: no class
        const int index = matchClassName(image.classFolder, classNames);
        if (index < 0)
            addUnmatched(out, image.classFolder);
        else
            out.classOf[image.file] = index;
    }
    return out;
}

} // namespace ts
