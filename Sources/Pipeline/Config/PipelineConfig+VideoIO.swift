import VideoIO

/// The configuration in the terms `VideoIO` takes.
extension PipelineConfig {
    /// How grey frames at the model's size become 0/1 input.
    public var binarization: VideoIO.Binarization {
        let threshold: VideoIO.Binarization.Threshold
        switch preparation.binarize {
        case .auto: threshold = .auto(frames: 5)
        case .otsu: threshold = .otsu
        case .threshold: threshold = .fixed(UInt8(min(254, max(0, (preparation.threshold * 255).rounded(.down)))))
        }
        return VideoIO.Binarization(threshold: threshold, invert: preparation.invert)
    }

    /// The reader's options: raw frames when `input.raw.size` is set, and the size limit.
    public var readerOptions: VideoReader.Options {
        let side = preparation.maxInputSize
        let raw = input.rawSize.map {
            RawVideoFormat(width: $0.width, height: $0.height,
                           pixelFormat: RawVideoFormat.PixelFormat(rawValue: input.rawPixelFormat.rawValue) ?? .gray,
                           frameRate: FrameRate(approximating: input.rawFramesPerSecond))
        }
        return VideoReader.Options(raw: raw, maxPixels: side * side)
    }

    /// What the renderer draws.
    public var renderMode: VideoIO.RenderMode {
        switch output.mode {
        case .segmentation: return .segmentation
        case .overlay: return .overlay
        case .sideBySide: return .sideBySide
        }
    }

    /// The writer's options at the input's frame rate. `auto` container and codec follow the file
    /// name; a container given alone gets its usual codec; lossy codecs encode yuv420p (plays everywhere).
    public func writerOptions(frameRate: FrameRate) -> VideoWriter.Options {
        let muxer: String? = switch output.container {
        case .auto: nil
        case .mkv: "matroska"
        default: output.container.rawValue
        }
        var codec = output.codec
        if codec == .auto {
            switch output.container {
            case .auto: break
            case .mp4, .mov: codec = .h264
            case .mkv: codec = .ffv1
            case .webm: codec = .vp9
            case .avi: codec = .mpeg4
            case .gif: codec = .gif
            }
        }
        let encoder: String? = switch codec {
        case .auto: nil
        case .h264: "libx264"
        case .hevc: "hevc"
        case .vp9: "libvpx-vp9"
        default: codec.rawValue
        }
        let pixelFormat: String? = [.h264, .hevc, .mpeg4, .vp9].contains(codec) ? "yuv420p" : nil
        // CRF and preset only where they mean what the keys say (x264/x265 CRF and preset, VP9 CRF).
        let encoded = codec == .auto ? impliedCodec : codec
        return VideoWriter.Options(frameRate: frameRate, container: muxer, codec: encoder, pixelFormat: pixelFormat,
                                   crf: [.h264, .hevc, .vp9].contains(encoded) ? output.crf : nil,
                                   preset: [.h264, .hevc].contains(encoded) ? output.preset.rawValue : nil,
                                   overwrite: output.overwrite)
    }

    /// The codec the output file's extension implies (VideoIO's table), `auto` when unknown.
    private var impliedCodec: VideoCodec {
        let name = resolvedOutputPath ?? ""
        let fileExtension = name.contains(".") ? String(name.split(separator: ".").last ?? "").lowercased() : ""
        switch fileExtension {
        case "mp4", "m4v", "mov", "ts", "m2ts", "h264", "264": return .h264
        case "mkv", "nut": return .ffv1
        case "webm": return .vp9
        case "gif": return .gif
        case "avi": return .mpeg4
        default: return .auto
        }
    }
}
