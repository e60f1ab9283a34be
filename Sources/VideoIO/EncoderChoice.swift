internal import CFFmpeg
import Foundation

/// The container, encoder and pixel format for an output, from its file name unless given.
///
/// | extension        | encoder          | pixel format | why |
/// |------------------|------------------|--------------|-----|
/// | .mp4 .m4v .mov   | libx264          | yuv420p      | plays everywhere; `+faststart` |
/// | .mkv .nut        | ffv1             | bgr0         | lossless: RGB comes back bit-exact |
/// | .webm            | libvpx-vp9       | yuv420p      | CRF 31 with bit rate 0 (constant quality) unless set |
/// | .gif             | gif              | rgb8         | 3-3-2 fixed palette with dithering (no palette search) |
/// | .avi             | mpeg4            | yuv420p      | MPEG-4 Part 2 plays in any AVI player; CRF is its qscale (1–31, default 3) |
/// | .ts .m2ts        | libx264          | yuv420p      | streams through pipes |
/// | .h264 .264       | libx264          | yuv420p      | raw Annex B stream |
/// | .y4m             | wrapped_avframe  | yuv420p      | uncompressed YUV4MPEG2 |
/// | anything else    | container's default encoder | closest to RGB | |
///
/// Chroma-subsampled formats (yuv420p) need even sizes: odd widths and heights are padded by
/// one column or row that repeats the last one, so no pixel is resampled.
struct EncoderChoice {
    let outputFormat: UnsafePointer<AVOutputFormat>
    let encoder: UnsafePointer<AVCodec>
    let pixelFormat: AVPixelFormat
    let muxerOptions: [String: String]

    static let byExtension: [String: (encoder: String, pixelFormat: String, muxerOptions: [String: String])] = [
        "mp4": ("libx264", "yuv420p", ["movflags": "+faststart"]),
        "m4v": ("libx264", "yuv420p", ["movflags": "+faststart"]),
        "mov": ("libx264", "yuv420p", ["movflags": "+faststart"]),
        "mkv": ("ffv1", "bgr0", [:]),
        "nut": ("ffv1", "bgr0", [:]),
        "webm": ("libvpx-vp9", "yuv420p", [:]),
        "gif": ("gif", "rgb8", [:]),
        "avi": ("mpeg4", "yuv420p", [:]),
        "ts": ("libx264", "yuv420p", [:]),
        "m2ts": ("libx264", "yuv420p", [:]),
        "h264": ("libx264", "yuv420p", [:]),
        "264": ("libx264", "yuv420p", [:]),
        "y4m": ("wrapped_avframe", "yuv420p", [:]),
    ]

    /// Encoders whose time base is free: in a container that keeps per-frame timestamps they
    /// get 1/90000, so variable frame rate timestamps survive. Others (mpeg4's 16-bit
    /// denominator, y4m, raw streams, avi) get 1/fps.
    /// Containers that store a frame rate rather than a timestamp per frame.
    static let constantRateContainers: Set<String> = ["avi", "yuv4mpegpipe"]

    static let freeTimeBaseEncoders: Set<String> = ["libx264", "libx265", "ffv1", "libvpx-vp9", "libvpx", "gif", "png"]

    init(path: String, container: String?, codec: String?, pixelFormat: String?) throws {
        let fileExtension = URL(fileURLWithPath: path).pathExtension.lowercased()
        let format = container.map { av_guess_format($0, nil, nil) } ?? av_guess_format(nil, path, nil)
        guard let format else {
            let what = container.map { "unknown container '\($0)'" }
                ?? "cannot tell the container from the extension '.\(fileExtension)'"
            throw VideoIOError.badConfiguration(path: path, reason: "\(what); use .mp4, .mkv, .webm, .gif or .avi")
        }
        outputFormat = format
        let defaults = container == nil ? Self.byExtension[fileExtension] : nil
        let muxerName = String(cString: format.pointee.name)

        let encoderName = codec ?? defaults?.encoder ?? String(cString: avcodec_get_name(format.pointee.video_codec))
        guard let encoder = avcodec_find_encoder_by_name(encoderName)
                ?? Self.encoderByCodecName(encoderName), encoder.pointee.type == AVMEDIA_TYPE_VIDEO else {
            throw VideoIOError.badConfiguration(path: path, reason: "no video encoder '\(encoderName)' in this FFmpeg")
        }
        if !VideoFormats.holds(format, encoder) {
            throw VideoIOError.badConfiguration(
                path: path, reason: "container \(muxerName) cannot hold \(String(cString: encoder.pointee.name)) video")
        }
        self.encoder = encoder

        let supported = Self.pixelFormats(of: encoder)
        if let wanted = pixelFormat ?? (codec == nil ? defaults?.pixelFormat : nil) {
            let format = av_get_pix_fmt(wanted)
            guard format != AV_PIX_FMT_NONE else {
                throw VideoIOError.badConfiguration(path: path, reason: "unknown pixel format '\(wanted)'")
            }
            guard supported.isEmpty || supported.contains(format) else {
                let names = supported.map(pixelFormatName).joined(separator: ", ")
                throw VideoIOError.badConfiguration(
                    path: path, reason: "\(encoderName) cannot encode \(wanted) (it takes \(names))")
            }
            self.pixelFormat = format
        } else if supported.isEmpty {
            self.pixelFormat = AV_PIX_FMT_YUV420P
        } else {
            var list = supported + [AV_PIX_FMT_NONE]
            self.pixelFormat = avcodec_find_best_pix_fmt_of_list(&list, AV_PIX_FMT_RGB24, 0, nil)
        }
        muxerOptions = defaults?.muxerOptions ?? (["mp4", "mov"].contains(muxerName) ? ["movflags": "+faststart"] : [:])
    }

    /// `-c:v h264` style: the default encoder of a codec named like "h264" or "vp9".
    static func encoderByCodecName(_ name: String) -> UnsafePointer<AVCodec>? {
        guard let descriptor = avcodec_descriptor_get_by_name(name) else { return nil }
        return avcodec_find_encoder(descriptor.pointee.id)
    }

    private static func pixelFormats(of encoder: UnsafePointer<AVCodec>) -> [AVPixelFormat] {
        guard var next = encoder.pointee.pix_fmts else { return [] }
        var formats: [AVPixelFormat] = []
        while next.pointee != AV_PIX_FMT_NONE {
            formats.append(next.pointee)
            next += 1
        }
        return formats
    }
}
