internal import CFFmpeg
import Foundation

// Owners of FFmpeg objects: each `*_alloc` here is paired with its documented `*_free`
// in the owner's `deinit`, so no path (error, early return, cancel) leaks one.

/// An `AVFrame` (av_frame_alloc / av_frame_free).
final class FrameBox: @unchecked Sendable {
    // @unchecked: a decoded frame is never written after it has been handed out; frames
    // that are written (encoder input) stay inside the one writer that owns them.
    let frame: UnsafeMutablePointer<AVFrame>

    init(path: String) throws {
        guard let frame = av_frame_alloc() else { throw outOfMemory(path, "av_frame_alloc") }
        self.frame = frame
    }

    deinit {
        var frame: UnsafeMutablePointer<AVFrame>? = frame
        av_frame_free(&frame)
    }
}

/// An `AVPacket` (av_packet_alloc / av_packet_free).
final class PacketBox {
    let packet: UnsafeMutablePointer<AVPacket>

    init(path: String) throws {
        guard let packet = av_packet_alloc() else { throw outOfMemory(path, "av_packet_alloc") }
        self.packet = packet
    }

    deinit {
        var packet: UnsafeMutablePointer<AVPacket>? = packet
        av_packet_free(&packet)
    }
}

/// An `AVCodecContext` (avcodec_alloc_context3 / avcodec_free_context).
final class CodecContextBox {
    let context: UnsafeMutablePointer<AVCodecContext>

    init(codec: UnsafePointer<AVCodec>, path: String) throws {
        guard let context = avcodec_alloc_context3(codec) else {
            throw outOfMemory(path, "avcodec_alloc_context3")
        }
        self.context = context
    }

    deinit {
        var context: UnsafeMutablePointer<AVCodecContext>? = context
        avcodec_free_context(&context)
    }
}

/// A `SwsContext` (sws_getCachedContext / sws_freeContext) that converts one size and pixel
/// format to another, rebuilt only when the source changes.
final class Scaler {
    private var context: OpaquePointer?
    private let flags: Int32

    /// `flags`: the filter (SWS_AREA to shrink by area averaging, SWS_BICUBIC as ffmpeg's
    /// default) and options such as SWS_ACCURATE_RND.
    init(flags: Int32) {
        self.flags = flags
    }

    deinit { sws_freeContext(context) }

    /// Converts `source` rows into `destination` planes. Returns false when swscale cannot
    /// convert between these formats.
    func scale(source: UnsafePointer<UnsafePointer<UInt8>?>, sourceStrides: UnsafePointer<Int32>,
               sourceWidth: Int, sourceHeight: Int, sourceFormat: AVPixelFormat,
               destination: UnsafePointer<UnsafeMutablePointer<UInt8>?>, destinationStrides: UnsafePointer<Int32>,
               width: Int, height: Int, format: AVPixelFormat) -> Bool {
        context = sws_getCachedContext(context, Int32(sourceWidth), Int32(sourceHeight), sourceFormat,
                                       Int32(width), Int32(height), format, flags, nil, nil, nil)
        guard let context else { return false }
        return sws_scale(context, source, sourceStrides, 0, Int32(sourceHeight), destination, destinationStrides) > 0
    }

    /// Converts a whole frame into `destination` planes.
    func scale(frame: UnsafePointer<AVFrame>, into destination: UnsafePointer<UnsafeMutablePointer<UInt8>?>,
               strides: UnsafePointer<Int32>, width: Int, height: Int, format: AVPixelFormat) -> Bool {
        withFramePlanes(frame) { planes, sourceStrides in
            scale(source: planes, sourceStrides: sourceStrides, sourceWidth: Int(frame.pointee.width),
                  sourceHeight: Int(frame.pointee.height), sourceFormat: AVPixelFormat(frame.pointee.format),
                  destination: destination, destinationStrides: strides, width: width, height: height, format: format)
        }
    }
}

/// A frame's plane pointers and strides as the arrays swscale takes.
func withFramePlanes<R>(_ frame: UnsafePointer<AVFrame>,
                        _ body: (UnsafePointer<UnsafePointer<UInt8>?>, UnsafePointer<Int32>) -> R) -> R {
    var data = frame.pointee.data
    var linesize = frame.pointee.linesize
    return withUnsafePointer(to: &data) { dataTuple in
        dataTuple.withMemoryRebound(to: UnsafePointer<UInt8>?.self, capacity: 8) { planes in
            withUnsafePointer(to: &linesize) { linesizeTuple in
                linesizeTuple.withMemoryRebound(to: Int32.self, capacity: 8) { body(planes, $0) }
            }
        }
    }
}

/// A frame's writable plane pointers and strides as the arrays swscale writes.
func withMutableFramePlanes<R>(_ frame: UnsafeMutablePointer<AVFrame>,
                               _ body: (UnsafePointer<UnsafeMutablePointer<UInt8>?>, UnsafePointer<Int32>) -> R) -> R {
    var data = frame.pointee.data
    var linesize = frame.pointee.linesize
    return withUnsafePointer(to: &data) { dataTuple in
        dataTuple.withMemoryRebound(to: UnsafeMutablePointer<UInt8>?.self, capacity: 8) { planes in
            withUnsafePointer(to: &linesize) { linesizeTuple in
                linesizeTuple.withMemoryRebound(to: Int32.self, capacity: 8) { body(planes, $0) }
            }
        }
    }
}

func outOfMemory(_ path: String, _ operation: String) -> VideoIOError {
    let code = nem_averror(ENOMEM)
    return .ffmpeg(path: path, operation: operation, code: code, message: ffmpegMessage(code))
}

/// FFmpeg's name of a pixel format ("yuv420p"), or "unknown".
func pixelFormatName(_ format: AVPixelFormat) -> String {
    av_get_pix_fmt_name(format).map { String(cString: $0) } ?? "unknown"
}
