#include "core/reduction/eval_progress.h"

#include "core/util/error.h"
#include "core/util/printable.h"

#include <nlohmann/json.hpp>

namespace ts {
namespace {

std::string imageKey(const FolderImage& image) { return image.file + "\n" + image.stamp; }

// One line; file names that are not UTF-8 are written with replacement characters, not refused.
std::string lineOf(const nlohmann::json& j) { return j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n"; }

} // namespace

EvalProgress::EvalProgress(const std::string& path, const std::string& key) : m_path(path)
{
    if (path.empty())
        return;
    read(key);
    m_out.open(path, m_startedOver ? std::ios::trunc : std::ios::app);
    if (!m_out)
        throw Error("eval: cannot write the progress file " + quotedForMessage(path));
    if (m_startedOver) {
        m_out << lineOf({{"tokenscope_eval_progress", 1}, {"key", key}});
        flush();
    }
}

void EvalProgress::read(const std::string& key)
{
    std::ifstream in(m_path);
    std::string line;
    m_startedOver = true;
    if (!in || !std::getline(in, line))
        return;
    const nlohmann::json header = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
    if (!header.is_object() || header.value("key", std::string()) != key)
        return;
    m_startedOver = false;
    while (std::getline(in, line)) {
        const nlohmann::json r = nlohmann::json::parse(line, nullptr, false);
        if (!r.is_object() || !r.contains("file") || !r.contains("stamp"))
            continue; // a line cut short by an interruption
        try {
            const std::string image = r["file"].get<std::string>() + "\n" + r["stamp"].get<std::string>();
            if (r.contains("skip")) {
                m_skips[image] = r["skip"].get<std::string>();
                continue;
            }
            ImageRecord record;
            record.top1Same = r.value("top1_same", true);
            record.cosine = r.value("cosine", 1.0);
            record.kl = r.value("kl", 0.0);
            record.top5 = r.value("top5", std::vector<int>());
            record.seconds = r.value("seconds", 0.0);
            m_records[r.value("run", std::string()) + "\n" + image] = record;
            ++m_loaded;
        } catch (const nlohmann::json::exception&) {
            continue; // a field of the wrong type: not a record this code wrote
        }
    }
}

const ImageRecord* EvalProgress::find(const std::string& run, const FolderImage& image) const
{
    const auto it = m_records.find(run + "\n" + imageKey(image));
    return it == m_records.end() ? nullptr : &it->second;
}

const std::string* EvalProgress::skipReason(const FolderImage& image) const
{
    const auto it = m_skips.find(imageKey(image));
    return it == m_skips.end() ? nullptr : &it->second;
}

void EvalProgress::add(const std::string& run, const FolderImage& image, const ImageRecord& record)
{
    m_records[run + "\n" + imageKey(image)] = record;
    if (m_path.empty())
        return;
    m_pending += lineOf({{"file", image.file}, {"stamp", image.stamp}, {"run", run}, {"top1_same", record.top1Same},
                         {"cosine", record.cosine}, {"kl", record.kl}, {"top5", record.top5}, {"seconds", record.seconds}});
}

void EvalProgress::addSkip(const FolderImage& image, const std::string& reason)
{
    m_skips[imageKey(image)] = reason;
    if (!m_path.empty())
        m_pending += lineOf({{"file", image.file}, {"stamp", image.stamp}, {"skip", reason}});
}

void EvalProgress::flush()
{
    if (m_path.empty())
        return;
    m_out << m_pending;
    m_out.flush();
    m_pending.clear();
    if (!m_out)
        throw Error("eval: cannot write the progress file " + quotedForMessage(m_path));
}

} // namespace ts
