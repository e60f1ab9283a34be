internal import CFFmpeg
import Foundation

/// Encodes RGB frames into a video file.
///
/// ```
/// let writer = try VideoWriter(path: "out.mp4", width: 640, height: 480,
///                              options: .init(frameRate: reader.frameRate))
/// try writer.write(image, timestamp: frame.timestamp)
/// try writer.finish()        // flush, trailer, rename into place
/// ```
/// Container and codec come from the file name (see `EncoderChoice`) or `Options`. The file
/// is written under a hidden temporary name in the same folder and renamed by `finish()`;
/// `cancel()` (or dropping an unfinished writer) removes it. To stop early (SIGINT), stop
/// writing and call `finish()`: the encoder is flushed and the file is playable.
///
/// Not thread-safe: call it from one thread or queue.
public final class VideoWriter: @unchecked Sendable {
    /// How to encode.
    public struct Options: Sendable {
        /// Nominal frame rate; timestamps passed to `write` override the spacing.
        public var frameRate: FrameRate
        /// FFmpeg muxer name ("mp4", "matroska", "nut", "mpegts"); nil: from the extension.
        public var container: String?
        /// Encoder ("libx264", "ffv1") or codec ("h264") name; nil: from the container.
        public var codec: String?
        /// Pixel format to encode ("yuv420p", "yuv444p", "yuv420p10le"); nil: the codec's default.
        public var pixelFormat: String?
        /// Constant quality (libx264 0–51, default 23; VP9 0–63, default 31; mpeg4: qscale 1–31,
        /// default 3). Nil: the encoder's default.
        public var crf: Int?
        /// Speed/size trade-off: an x264/x265 preset ("ultrafast" … "veryslow"), or VP9's
        /// cpu-used (0–8). Nil: the encoder's default (x264: medium).
        public var preset: String?
        /// Encoder threads; 0 lets FFmpeg choose.
        public var threads: Int
        /// Replace an existing output.
        public var overwrite: Bool
        /// Extra muxer options, e.g. ["movflags": "frag_keyframe+empty_moov"] for fragmented mp4.
        public var muxerOptions: [String: String]

        public init(frameRate: FrameRate = FrameRate(25), container: String? = nil, codec: String? = nil,
                    pixelFormat: String? = nil, crf: Int? = nil, preset: String? = nil, threads: Int = 0,
                    overwrite: Bool = false, muxerOptions: [String: String] = [:]) {
            self.frameRate = frameRate
            self.container = container
            self.codec = codec
            self.pixelFormat = pixelFormat
            self.crf = crf
            self.preset = preset
            self.threads = threads
            self.overwrite = overwrite
            self.muxerOptions = muxerOptions
        }
    }

    /// The final path of the output.
    public let path: String
    /// Size of the RGB frames passed to `write`.
    public let width: Int
    public let height: Int
    /// Size in the file: even for chroma-subsampled formats (padded by repeating the edge).
    public let encodedWidth: Int
    public let encodedHeight: Int
    /// FFmpeg's names of the encoder and of the encoded pixel format.
    public let codec: String
    public let pixelFormat: String
    /// Frames passed to `write` so far.
    public private(set) var framesWritten = 0

    private let output: OutputPath
    private let format: OutputFormatBox
    private let encoder: CodecContextBox
    private let stream: UnsafeMutablePointer<AVStream>
    private let frame: FrameBox
    private let packet: PacketBox
    private let scaler = Scaler(flags: SWS_BICUBIC)
    private let frameRate: FrameRate
    private var lastPts: Int64 = .min
    private var done = false

    /// Checks the output path and settings and writes the file header.
    public init(path: String, width: Int, height: Int, options: Options = Options()) throws {
        _ = silenceFFmpegLog
        self.path = path
        self.width = width
        self.height = height
        guard width > 0, height > 0 else {
            throw VideoIOError.badConfiguration(path: path, reason: "frame size \(width)×\(height) is empty")
        }
        guard options.frameRate.isValid else {
            throw VideoIOError.badConfiguration(path: path, reason: "frame rate \(options.frameRate) is not positive")
        }
        frameRate = options.frameRate
        output = try OutputPath(path, overwrite: options.overwrite)
        let choice = try EncoderChoice(path: path, container: options.container, codec: options.codec,
                                       pixelFormat: options.pixelFormat)
        format = try OutputFormatBox(format: choice.outputFormat, temporaryPath: output.temporaryPath, path: path)
        guard let context = format.context else { throw outOfMemory(path, "avformat_alloc_output_context2") }

        // Even sizes where chroma is subsampled.
        guard let descriptor = av_pix_fmt_desc_get(choice.pixelFormat) else {
            throw VideoIOError.badConfiguration(path: path, reason: "unknown pixel format")
        }
        let xAlign = 1 << Int(descriptor.pointee.log2_chroma_w), yAlign = 1 << Int(descriptor.pointee.log2_chroma_h)
        encodedWidth = (width + xAlign - 1) / xAlign * xAlign
        encodedHeight = (height + yAlign - 1) / yAlign * yAlign
        codec = String(cString: choice.encoder.pointee.name)
        pixelFormat = pixelFormatName(choice.pixelFormat)

        encoder = try CodecContextBox(codec: choice.encoder, path: path)
        let settings = encoder.context
        settings.pointee.width = Int32(encodedWidth)
        settings.pointee.height = Int32(encodedHeight)
        settings.pointee.pix_fmt = choice.pixelFormat
        settings.pointee.framerate = AVRational(num: Int32(frameRate.numerator), den: Int32(frameRate.denominator))
        let muxerFlags = context.pointee.oformat.pointee.flags
        let keepsTimestamps = muxerFlags & AVFMT_NOTIMESTAMPS == 0
            && !EncoderChoice.constantRateContainers.contains(String(cString: context.pointee.oformat.pointee.name))
        settings.pointee.time_base = keepsTimestamps && EncoderChoice.freeTimeBaseEncoders.contains(codec)
            ? AVRational(num: 1, den: 90_000)
            : AVRational(num: Int32(frameRate.denominator), den: Int32(frameRate.numerator))
        settings.pointee.thread_count = Int32(options.threads)
        if muxerFlags & AVFMT_GLOBALHEADER != 0 {
            settings.pointee.flags |= AV_CODEC_FLAG_GLOBAL_HEADER
        }
        try Self.applyQuality(options, to: settings, codec: codec, path: path)
        let opened = avcodec_open2(settings, choice.encoder, nil)
        if opened < 0 {
            throw VideoIOError.badConfiguration(path: path, reason: "\(codec) refuses these settings: \(ffmpegMessage(opened))")
        }

        guard let stream = avformat_new_stream(context, nil) else { throw outOfMemory(path, "avformat_new_stream") }
        self.stream = stream
        try check(avcodec_parameters_from_context(stream.pointee.codecpar, settings), "setting up the stream", path: path)
        stream.pointee.time_base = settings.pointee.time_base
        stream.pointee.avg_frame_rate = settings.pointee.framerate

        frame = try FrameBox(path: path)
        frame.frame.pointee.format = choice.pixelFormat.rawValue
        frame.frame.pointee.width = Int32(encodedWidth)
        frame.frame.pointee.height = Int32(encodedHeight)
        try check(av_frame_get_buffer(frame.frame, 0), "allocating a frame", path: path)
        packet = try PacketBox(path: path)

        // The temporary file exists from here on: any failure removes it.
        do {
            try format.openFile(path: path)
            try format.writeHeader(options: choice.muxerOptions.merging(options.muxerOptions) { $1 }, path: path)
        } catch {
            format.close()
            output.discard()
            throw error
        }
    }

    deinit {
        if !done { cancel() }
    }

    /// Encodes one frame of `width × height`.
    /// - Parameter timestamp: seconds since the start (carry the input's over); nil places the
    ///   frame one period after the previous one. Timestamps that do not increase are nudged.
    public func write(_ image: RGBImage, timestamp: Double? = nil) throws {
        precondition(!done, "VideoWriter.write after finish/cancel")
        precondition(image.width == width && image.height == height,
                     "VideoWriter: \(image.width)×\(image.height) frame for a \(width)×\(height) video")
        try check(av_frame_make_writable(frame.frame), "preparing a frame", path: path)
        let converted = image.pixels.withUnsafeBufferPointer { pixels in
            withMutableFramePlanes(frame.frame) { planes, strides in
                var source: [UnsafePointer<UInt8>?] = [pixels.baseAddress, nil, nil, nil]
                var sourceStrides: [Int32] = [Int32(width * 3), 0, 0, 0]
                return scaler.scale(source: &source, sourceStrides: &sourceStrides, sourceWidth: width,
                                    sourceHeight: height, sourceFormat: AV_PIX_FMT_RGB24,
                                    destination: planes, destinationStrides: strides,
                                    width: width, height: height, format: encoder.context.pointee.pix_fmt)
            }
        }
        guard converted else {
            throw VideoIOError.badConfiguration(path: path, reason: "swscale cannot convert RGB to \(pixelFormat)")
        }
        padEdges()
        frame.frame.pointee.pts = nextPts(timestamp)
        try check(avcodec_send_frame(encoder.context, frame.frame), "encoding frame \(framesWritten)", path: path)
        framesWritten += 1
        try writePackets()
    }

    /// Flushes the encoder, completes the file and renames it to `path`. On failure the
    /// temporary file is removed.
    public func finish() throws {
        precondition(!done, "VideoWriter.finish after finish/cancel")
        done = true
        do {
            try check(avcodec_send_frame(encoder.context, nil), "flushing the encoder", path: path)
            try writePackets()
            try format.writeTrailerAndClose(path: path)
            try output.commit()
        } catch {
            format.close()
            output.discard()
            throw error
        }
    }

    /// Stops without a file: closes and removes the temporary output.
    public func cancel() {
        done = true
        format.close()
        output.discard()
    }

    /// Moves every packet the encoder has ready into the file.
    private func writePackets() throws {
        while true {
            let status = try check(avcodec_receive_packet(encoder.context, packet.packet), "encoding", path: path)
            if status != .ok { return }
            av_packet_rescale_ts(packet.packet, encoder.context.pointee.time_base, stream.pointee.time_base)
            packet.packet.pointee.stream_index = stream.pointee.index
            // av_interleaved_write_frame takes the packet's data and leaves it blank.
            try check(av_interleaved_write_frame(format.context, packet.packet), "writing", path: path)
        }
    }

    private func nextPts(_ timestamp: Double?) -> Int64 {
        let timeBase = encoder.context.pointee.time_base
        var pts: Int64
        if let timestamp {
            pts = Int64((timestamp / av_q2d(timeBase)).rounded())
        } else {
            let period = AVRational(num: Int32(frameRate.denominator), den: Int32(frameRate.numerator))
            pts = lastPts == .min ? 0 : lastPts + max(1, av_rescale_q(1, period, timeBase))
        }
        if pts <= lastPts { pts = lastPts + 1 }
        lastPts = pts
        return pts
    }

    /// Fills the padding column and row (odd sizes in yuv420p) by repeating the last real one,
    /// in the full-resolution planes (luma, alpha); subsampled chroma already covers them.
    private func padEdges() {
        guard encodedWidth != width || encodedHeight != height,
              let descriptor = av_pix_fmt_desc_get(encoder.context.pointee.pix_fmt) else { return }
        let bytesPerSample = Int(descriptor.pointee.comp.0.step)
        let planes = [0, descriptor.pointee.nb_components == 4 ? 3 : nil].compactMap { $0 }
        for plane in planes {
            guard let base = framePlane(plane) else { continue }
            let stride = Int(framePlaneStride(plane))
            for y in 0..<height where encodedWidth > width {
                let row = base + y * stride
                for x in width..<encodedWidth {
                    (row + x * bytesPerSample).update(from: row + (width - 1) * bytesPerSample, count: bytesPerSample)
                }
            }
            for y in height..<encodedHeight {
                (base + y * stride).update(from: base + (height - 1) * stride, count: encodedWidth * bytesPerSample)
            }
        }
    }

    private func framePlane(_ plane: Int) -> UnsafeMutablePointer<UInt8>? {
        withUnsafeBytes(of: frame.frame.pointee.data) { $0.load(fromByteOffset: plane * 8, as: UnsafeMutablePointer<UInt8>?.self) }
    }

    private func framePlaneStride(_ plane: Int) -> Int32 {
        withUnsafeBytes(of: frame.frame.pointee.linesize) { $0.load(fromByteOffset: plane * 4, as: Int32.self) }
    }

    /// Sets CRF (or qscale) and preset, refusing settings the encoder does not have.
    private static func applyQuality(_ options: Options, to settings: UnsafeMutablePointer<AVCodecContext>,
                                     codec: String, path: String) throws {
        let privateOptions = settings.pointee.priv_data
        func has(_ name: String) -> Bool {
            privateOptions != nil && av_opt_find(privateOptions, name, nil, 0, 0) != nil
        }
        func set(_ name: String, _ value: String) throws {
            let result = av_opt_set(privateOptions, name, value, 0)
            if result < 0 {
                throw VideoIOError.badConfiguration(path: path, reason: "\(codec) rejects \(name) '\(value)': \(ffmpegMessage(result))")
            }
        }
        if codec == "libvpx-vp9" || codec == "libvpx" {
            settings.pointee.bit_rate = 0              // constant quality: CRF alone decides
            try set("crf", "\(options.crf ?? 31)")
            if has("row-mt") { try set("row-mt", "1") }
        } else if has("crf") {
            if let crf = options.crf { try set("crf", "\(crf)") }
        } else if codec == "mpeg4" || codec == "msmpeg4" || codec == "mpeg2video" {
            let qscale = min(max(options.crf ?? 3, 1), 31)
            settings.pointee.flags |= AV_CODEC_FLAG_QSCALE
            settings.pointee.global_quality = Int32(qscale) * FF_QP2LAMBDA
        } else if let crf = options.crf {
            throw VideoIOError.badConfiguration(path: path, reason: "\(codec) has no quality setting for crf \(crf)")
        }
        if let preset = options.preset {
            if codec == "libx264" || codec == "libx265", !x264Presets.contains(preset) {
                throw VideoIOError.badConfiguration(
                    path: path, reason: "unknown preset '\(preset)' for \(codec) (\(x264Presets.joined(separator: ", ")))")
            }
            if has("preset") {
                try set("preset", preset)
            } else if has("cpu-used") {
                try set("cpu-used", preset)
            } else {
                throw VideoIOError.badConfiguration(path: path, reason: "\(codec) has no preset setting for '\(preset)'")
            }
        }
    }
}

/// The presets of x264 and x265, fastest first. Checked here because x264 reports a bad one
/// on stderr by itself.
let x264Presets = ["ultrafast", "superfast", "veryfast", "faster", "fast", "medium", "slow", "slower", "veryslow", "placebo"]

/// An `AVFormatContext` for output (avformat_alloc_output_context2 / avformat_free_context)
/// with its file (avio_open / avio_closep).
final class OutputFormatBox {
    private(set) var context: UnsafeMutablePointer<AVFormatContext>?
    private var headerWritten = false

    private let url: String

    init(format: UnsafePointer<AVOutputFormat>, temporaryPath: String, path: String) throws {
        // The muxer reopens its own url for +faststart, so the url is the temporary file.
        url = "file:" + temporaryPath
        try check(avformat_alloc_output_context2(&context, format, nil, url), "setting up the container", path: path)
    }

    /// Creates the (temporary) file.
    func openFile(path: String) throws {
        guard let context else { throw outOfMemory(path, "avformat_alloc_output_context2") }
        if context.pointee.oformat.pointee.flags & AVFMT_NOFILE == 0 {
            let opened = avio_open(&context.pointee.pb, url, AVIO_FLAG_WRITE)
            if opened < 0 {
                throw VideoIOError.outputNotCreatable(path: path, reason: ffmpegMessage(opened))
            }
        }
    }

    /// Writes the container header; muxer options it does not know are refused.
    func writeHeader(options: [String: String], path: String) throws {
        var dictionary: OpaquePointer?
        defer { av_dict_free(&dictionary) }
        for (key, value) in options { av_dict_set(&dictionary, key, value, 0) }
        try check(avformat_write_header(context, &dictionary), "writing the header", path: path)
        headerWritten = true
        if let unused = av_dict_get(dictionary, "", nil, AV_DICT_IGNORE_SUFFIX) {
            throw VideoIOError.badConfiguration(path: path, reason: "the muxer has no option '\(String(cString: unused.pointee.key))'")
        }
    }

    func writeTrailerAndClose(path: String) throws {
        if headerWritten {
            headerWritten = false
            try check(av_write_trailer(context), "finishing the file", path: path)
        }
        if let context, context.pointee.pb != nil {
            try check(avio_closep(&context.pointee.pb), "closing the file", path: path)
        }
    }

    /// Closes the file without a trailer (the output is being abandoned).
    func close() {
        if let context, context.pointee.pb != nil { avio_closep(&context.pointee.pb) }
    }

    deinit {
        close()
        avformat_free_context(context)
    }
}
