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
        var codec = output.codec
        if codec == .auto { codec = output.container.usualCodec }
        let pixelFormat: String? = [.h264, .hevc, .mpeg4, .vp9].contains(codec) ? "yuv420p" : nil
        // CRF and preset only where they mean what the keys say (x264/x265 CRF and preset, VP9 CRF).
        let encoded = codec == .auto ? impliedCodec : codec
        return VideoWriter.Options(frameRate: frameRate, container: output.container.muxerName, codec: codec.encoderName,
                                   pixelFormat: pixelFormat,
                                   crf: [.h264, .hevc, .vp9].contains(encoded) ? output.crf : nil,
                                   preset: [.h264, .hevc].contains(encoded) ? output.preset.rawValue : nil,
                                   overwrite: output.overwrite)
    }

    /// The codec VideoIO picks for the output file's extension, `auto` when unknown.
    private var impliedCodec: VideoCodec {
        let name = resolvedOutputPath ?? ""
        let fileExtension = name.contains(".") ? String(name.split(separator: ".").last ?? "") : ""
        let encoder = VideoFormats.defaultEncoder(forExtension: fileExtension)
        return VideoCodec.allCases.first { $0 != .auto && $0.encoderName == encoder } ?? .auto
    }
}

extension VideoCodec {
    /// The FFmpeg encoder VideoIO is asked for (nil for `auto`: VideoIO's choice from the file name).
    var encoderName: String? {
        switch self {
        case .auto: return nil
        case .h264: return "libx264"
        case .vp9: return "libvpx-vp9"
        case .hevc, .mpeg4, .ffv1, .gif: return rawValue
        }
    }
}

extension VideoContainer {
    /// FFmpeg's muxer (nil for `auto`: from the file name).
    var muxerName: String? {
        switch self {
        case .auto: return nil
        case .mkv: return "matroska"
        default: return rawValue
        }
    }

    /// The codec a container given without a codec gets.
    var usualCodec: VideoCodec {
        switch self {
        case .auto: return .auto
        case .mp4, .mov: return .h264
        case .mkv: return .ffv1
        case .webm: return .vp9
        case .avi: return .mpeg4
        case .gif: return .gif
        }
    }

    /// Whether FFmpeg can put `codec` in this container (asked of FFmpeg, as the writer will).
    func holds(_ codec: VideoCodec) -> Bool {
        guard let muxer = muxerName, let encoder = codec.encoderName else { return true }
        return VideoFormats.canHold(container: muxer, codec: encoder)
    }
}
