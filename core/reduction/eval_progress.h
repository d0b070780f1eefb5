#pragma once
// The resume store of a folder evaluation: one JSON line per finished (image, run) — the reduced
// model's agreement with the unreduced one, its top-5 classes and its share of the batch's time —
// appended and flushed as each batch of a run finishes, so an interrupted evaluation (cancel,
// crash, power cut) resumes where it stopped without recomputing a finished image.
//
// Where it lives: the path the caller gives (the command line: `--progress FILE`, by default
// OUT.json.progress.jsonl beside the JSON; the GUI: a file per folder in the app's cache folder).
// What invalidates it: the first line holds a key of everything that changes an output besides
// the setting — the model (weights, configuration, checkpoint size and time), the preprocessing
// and the normalisation; a file whose key differs is started over. Each record names its run (the
// method, its parameters and the r of every block) and its image's size and modification time, so
// a changed setting is a new run (computed for every image; the old records stay unused) and an
// edited image is a new image. A truncated last line (a write cut short) is ignored. Torch-free.
#include "core/reduction/image_folder.h"

#include <fstream>
#include <map>
#include <string>
#include <vector>

namespace ts {

struct ImageRecord {
    bool top1Same = true;
    double cosine = 1;
    double kl = 0;
    std::vector<int> top5; // with a head: the five most likely classes, most likely first
    double seconds = 0;    // the batch's forward time over its size
};

class EvalProgress {
public:
    // Reads `path` when it exists and carries `key`, else starts it over; an empty path keeps the
    // records in memory only. Throws ts::Error when the file cannot be written.
    EvalProgress(const std::string& path, const std::string& key);

    const ImageRecord* find(const std::string& run, const FolderImage& image) const;
    const std::string* skipReason(const FolderImage& image) const;
    // Appended to the file at the next flush().
    void add(const std::string& run, const FolderImage& image, const ImageRecord& record);
    void addSkip(const FolderImage& image, const std::string& reason);
    void flush();

    const std::string& path() const { return m_path; }
    int loadedRecords() const { return m_loaded; }
    bool startedOver() const { return m_startedOver; }

private:
    void read(const std::string& key);

    std::string m_path;
    std::ofstream m_out;
    std::map<std::string, ImageRecord> m_records; // run \n file \n stamp
    std::map<std::string, std::string> m_skips;   // file \n stamp
    std::string m_pending;
    int m_loaded = 0;
    bool m_startedOver = false;
};

} // namespace ts
