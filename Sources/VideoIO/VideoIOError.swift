internal import CFFmpeg
import Foundation

/// Why a video, mask or track file could not be read or written.
///
/// `description` is one line that names the file and the cause; `exitCode` is a
/// sysexits-style code that differs by kind of failure (66 input missing, 65 bad input
/// data, 73 output cannot be created, 78 bad configuration, 1 anything else).
public enum VideoIOError: Error, CustomStringConvertible, Equatable, Sendable {
    /// The input path does not exist.
    case missing(path: String)
    /// The input exists but cannot be opened for reading (a directory, no permission, a terminal).
    case unreadable(path: String, reason: String)
    /// The input file is empty.
    case empty(path: String)
    /// FFmpeg cannot read the input as video (not a media file, truncated header, random bytes).
    case notVideo(path: String, reason: String)
    /// The input is a media file without a video stream (audio only, or only a cover image).
    case noVideoStream(path: String)
    /// The input has a video stream but not one frame of it decodes.
    case noDecodableFrames(path: String, skipped: Int)
    /// A frame is larger than the configured limit (width × height pixels).
    case frameTooLarge(path: String, width: Int, height: Int, maxPixels: Int)
    /// The output exists and overwriting was not asked for.
    case outputExists(path: String)
    /// The output cannot be created (folder missing or not writable, path is a folder …).
    case outputNotCreatable(path: String, reason: String)
    /// A setting cannot work (unknown container or codec, bad raw format, bad size).
    case badConfiguration(path: String, reason: String)
    /// Any other FFmpeg failure, with FFmpeg's own message.
    case ffmpeg(path: String, operation: String, code: Int32, message: String)

    public var description: String {
        switch self {
        case .missing(let path):
            return "\(path): no such file"
        case .unreadable(let path, let reason):
            return "\(path): cannot read: \(reason)"
        case .empty(let path):
            return "\(path): file is empty"
        case .notVideo(let path, let reason):
            return "\(path): not a video FFmpeg can read: \(reason)"
        case .noVideoStream(let path):
            return "\(path): has no video stream (audio only?)"
        case .noDecodableFrames(let path, let skipped):
            return "\(path): no frame could be decoded (\(skipped) corrupt frame\(skipped == 1 ? "" : "s") skipped)"
        case .frameTooLarge(let path, let width, let height, let maxPixels):
            return "\(path): frame of \(width)×\(height) pixels is above the limit of \(maxPixels) pixels"
        case .outputExists(let path):
            return "\(path): output exists; pass --overwrite to replace it"
        case .outputNotCreatable(let path, let reason):
            return "\(path): cannot create output: \(reason)"
        case .badConfiguration(let path, let reason):
            return "\(path): \(reason)"
        case .ffmpeg(let path, let operation, _, let message):
            return "\(path): \(operation) failed: \(message)"
        }
    }

    /// sysexits-style exit code for this kind of failure.
    public var exitCode: Int32 {
        switch self {
        case .missing, .unreadable: return 66
        case .empty, .notVideo, .noVideoStream, .noDecodableFrames, .frameTooLarge: return 65
        case .outputExists, .outputNotCreatable: return 73
        case .badConfiguration: return 78
        case .ffmpeg(_, _, let code, _): return code == nem_averror_invaliddata() ? 65 : 1
        }
    }
}

/// What a send/receive/read call of FFmpeg said, when it did not fail.
enum AVStatus {
    /// Done; call again for more.
    case ok
    /// AVERROR(EAGAIN): feed more input (decoder) or drain output first (encoder).
    case again
    /// AVERROR_EOF: nothing more will come.
    case endOfFile
}

/// FFmpeg's own text for an error code (`av_strerror`).
func ffmpegMessage(_ code: Int32) -> String {
    var buffer = [CChar](repeating: 0, count: Int(AV_ERROR_MAX_STRING_SIZE))
    return buffer.withUnsafeMutableBufferPointer { chars in
        String(cString: nem_err2str(code, chars.baseAddress, chars.count))
    }
}

/// The one place FFmpeg return codes become Swift: EAGAIN and EOF are results, any other
/// negative code throws `VideoIOError.ffmpeg` naming `path` and what was being done.
@discardableResult
func check(_ code: Int32, _ operation: @autoclosure () -> String, path: String) throws -> AVStatus {
    if code >= 0 { return .ok }
    if code == nem_averror_eagain() { return .again }
    if code == nem_averror_eof() { return .endOfFile }
    throw VideoIOError.ffmpeg(path: path, operation: operation(), code: code, message: ffmpegMessage(code))
}

/// Text for a POSIX errno value ("Permission denied").
func posixMessage(_ code: Int32) -> String {
    String(cString: strerror(code))
}
