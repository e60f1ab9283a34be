internal import CFFmpeg

/// FFmpeg's own log lines would repeat, unasked, what `VideoIOError` and the reader's warnings
/// already say; they are silenced once, when the first reader or writer is made.
let silenceFFmpegLog: Void = av_log_set_level(AV_LOG_QUIET)

/// FFmpeg's messages on stderr, off by default; a `--verbose` flag can turn them on.
public enum FFmpegLog {
    /// Shows FFmpeg's warnings and errors (true) or nothing (false, the default).
    public static func setVerbose(_ verbose: Bool) {
        _ = silenceFFmpegLog
        av_log_set_level(verbose ? AV_LOG_WARNING : AV_LOG_QUIET)
    }
}
