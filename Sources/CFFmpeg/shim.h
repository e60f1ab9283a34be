#ifndef NEM_CFFMPEG_SHIM_H
#define NEM_CFFMPEG_SHIM_H
#include <libavformat/avformat.h>
#include <libavcodec/avcodec.h>
#include <libswscale/swscale.h>
#include <libavutil/avutil.h>
#include <libavutil/imgutils.h>
#include <libavutil/opt.h>
#include <libavutil/error.h>
#include <libavutil/pixdesc.h>

// Static inline shims for FFmpeg macros that Swift cannot import (function-like macros,
// casts, compound literals). Names mirror the macro they stand for, prefixed `nem_`.

/// AVERROR(e): an FFmpeg error code from a POSIX errno value.
static inline int nem_averror(int posix_errno) { return AVERROR(posix_errno); }

/// AVERROR(EAGAIN): "output not available in this state, send more input".
static inline int nem_averror_eagain(void) { return AVERROR(EAGAIN); }

/// AVERROR_EOF: end of file / the codec has been fully flushed.
static inline int nem_averror_eof(void) { return AVERROR_EOF; }

/// AVERROR_INVALIDDATA: invalid data found when processing input.
static inline int nem_averror_invaliddata(void) { return AVERROR_INVALIDDATA; }

/// AVERROR_STREAM_NOT_FOUND: av_find_best_stream found no stream of the wanted type.
static inline int nem_averror_stream_not_found(void) { return AVERROR_STREAM_NOT_FOUND; }

/// AVERROR_DECODER_NOT_FOUND: the stream's codec has no decoder in this FFmpeg build.
static inline int nem_averror_decoder_not_found(void) { return AVERROR_DECODER_NOT_FOUND; }

/// AVERROR_OPTION_NOT_FOUND: av_opt_set was given an option the object does not have.
static inline int nem_averror_option_not_found(void) { return AVERROR_OPTION_NOT_FOUND; }

/// AV_NOPTS_VALUE: "no timestamp".
static inline int64_t nem_nopts_value(void) { return AV_NOPTS_VALUE; }

/// av_err2str: FFmpeg's text for an error code, written into `buffer` (at least
/// AV_ERROR_MAX_STRING_SIZE bytes). Returns `buffer`.
static inline const char *nem_err2str(int errnum, char *buffer, size_t size) {
    return av_make_error_string(buffer, size, errnum);
}

#endif
