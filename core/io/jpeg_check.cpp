#include "core/io/jpeg_check.h"

#include <csetjmp>
#include <cstdio>
#include <vector>

#include <jpeglib.h>
// jerror.h's message codes (JWRN_JPEG_EOF, JWRN_EXTRANEOUS_DATA).
#include <jerror.h>

namespace ts {
namespace {

struct Reporter {
    jpeg_error_mgr mgr;
    std::jmp_buf jump;
    JpegVerdict* verdict;
};

std::string messageOf(j_common_ptr cinfo)
{
    char text[JMSG_LENGTH_MAX];
    (*cinfo->err->format_message)(cinfo, text);
    return text;
}

void onError(j_common_ptr cinfo)
{
    auto* r = reinterpret_cast<Reporter*>(cinfo->err);
    r->verdict->error = messageOf(cinfo);
    std::longjmp(r->jump, 1);
}

// Warnings (level -1) by code; trace messages (level >= 0) are ignored. Nothing is printed.
void onMessage(j_common_ptr cinfo, int level)
{
    if (level >= 0)
        return;
    auto* r = reinterpret_cast<Reporter*>(cinfo->err);
    const int code = cinfo->err->msg_code;
    std::string& slot = code == JWRN_JPEG_EOF ? r->verdict->truncated
                        : code == JWRN_EXTRANEOUS_DATA ? r->verdict->warning
                                                      : r->verdict->corrupt;
    if (slot.empty())
        slot = messageOf(cinfo);
    ++cinfo->err->num_warnings;
}

} // namespace

JpegVerdict checkJpeg(const std::string& bytes)
{
    JpegVerdict verdict;
    jpeg_decompress_struct cinfo{};
    Reporter reporter{};
    reporter.verdict = &verdict;
    cinfo.err = jpeg_std_error(&reporter.mgr);
    reporter.mgr.error_exit = onError;
    reporter.mgr.emit_message = onMessage;
    std::vector<JSAMPLE> row;
    if (setjmp(reporter.jump) == 0) {
        jpeg_create_decompress(&cinfo);
        jpeg_mem_src(&cinfo, reinterpret_cast<const unsigned char*>(bytes.data()), static_cast<unsigned long>(bytes.size()));
        jpeg_read_header(&cinfo, TRUE);
        cinfo.scale_num = 1;
        cinfo.scale_denom = 8;
        cinfo.dct_method = JDCT_IFAST;
        cinfo.do_fancy_upsampling = FALSE;
        jpeg_start_decompress(&cinfo);
        row.resize(static_cast<std::size_t>(cinfo.output_width) * cinfo.output_components);
        while (cinfo.output_scanline < cinfo.output_height) {
            JSAMPROW rows[1] = {row.data()};
            jpeg_read_scanlines(&cinfo, rows, 1);
        }
        jpeg_finish_decompress(&cinfo);
    }
    jpeg_destroy_decompress(&cinfo);
    return verdict;
}

} // namespace ts
