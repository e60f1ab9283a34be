internal import CFFmpeg
import Foundation

/// Decodes the best video stream of a file or a pipe, frame by frame, in presentation order.
///
/// ```
/// let reader = try VideoReader(.path("in.mp4"))      // or .path("-") for stdin
/// while let frame = try reader.nextFrame() { … }     // nil at the end
/// ```
/// Any container FFmpeg demuxes works from a file; through a pipe (read with our own
/// `AVIOContext`, so probing never seeks), containers that stream
/// (y4m, matroska, nut, mpegts, raw H.264, fragmented mp4) and raw frames (`Options.raw`).
/// Corrupt frames are skipped and counted in `skippedFrames` and `warnings`; a file with no
/// decodable frame at all throws `VideoIOError.noDecodableFrames`.
///
/// Not thread-safe: use one reader from one thread or queue at a time.
public final class VideoReader: @unchecked Sendable {
    /// Where the bytes come from.
    public enum Input: Sendable, Equatable {
        /// A file; "-" is standard input.
        case path(String)
        /// An open, readable descriptor (a pipe, a file); `name` appears in messages. The reader
        /// does not close it.
        case fileDescriptor(Int32, name: String)
    }

    /// How to read.
    public struct Options: Sendable {
        /// Set for raw frames without a container; nil lets FFmpeg probe the input.
        public var raw: RawVideoFormat?
        /// Frames with more pixels than this are refused (`VideoIOError.frameTooLarge`).
        public var maxPixels: Int
        /// Decoder threads; 0 lets FFmpeg choose (one per core).
        public var threads: Int

        /// Default limit: 8K UHD (7680 × 4320 pixels).
        public static let defaultMaxPixels = 7680 * 4320

        public init(raw: RawVideoFormat? = nil, maxPixels: Int = Options.defaultMaxPixels, threads: Int = 0) {
            self.raw = raw
            self.maxPixels = maxPixels
            self.threads = threads
        }
    }

    /// The path, or "stdin", as it appears in messages.
    public let name: String
    /// Size of the coded frames, as the container reports it.
    public let width: Int
    public let height: Int
    /// Nominal frame rate (FFmpeg's guess from container and codec; 25 when neither says).
    public let frameRate: FrameRate
    /// Number of frames when the container states it (mp4 does; matroska and pipes do not).
    public let frameCount: Int?
    /// Length in seconds when known.
    public let duration: Double?
    /// FFmpeg's names of the codec ("h264") and of the container ("mov,mp4,m4a,3gp,3g2,mj2").
    public let codec: String
    public let container: String
    /// Frames (or packets) that could not be decoded and were skipped.
    public private(set) var skippedFrames = 0
    /// Things a person should know that did not stop the reading (corrupt frames, early end).
    public private(set) var warnings: [String] = []

    private let format: InputFormatBox
    private let decoder: CodecContextBox
    private let packet: PacketBox
    private let decoded: FrameBox
    private let streamIndex: Int32
    private let timeBase: AVRational
    private let maxPixels: Int
    private var startPts: Int64?
    private var lastTimestamp: Double?
    private var framesReturned = 0
    private var draining = false
    private var finished = false

    /// Opens `input`, finds its best video stream and prepares its decoder.
    public init(_ input: Input, options: Options = Options()) throws {
        _ = silenceFFmpegLog
        let source: InputFormatBox.Source
        switch input {
        case .path("-"):
            name = "stdin"
            if isatty(0) != 0 {
                throw VideoIOError.unreadable(path: name, reason: "is a terminal; pipe a video in")
            }
            source = .descriptor(0)
        case .path(let path):
            name = path
            try Self.checkReadableFile(path)
            source = .file(path)
        case .fileDescriptor(let fd, let descriptorName):
            name = descriptorName
            source = .descriptor(fd)
        }
        maxPixels = options.maxPixels

        format = try InputFormatBox(source, raw: options.raw, name: name, maxPixels: maxPixels)
        guard let context = format.context else { throw outOfMemory(name, "avformat_open_input") }

        var codecPointer: UnsafePointer<AVCodec>?
        let best = av_find_best_stream(context, AVMEDIA_TYPE_VIDEO, -1, -1, &codecPointer, 0)
        if best == nem_averror_stream_not_found() {
            let types = (0..<Int(context.pointee.nb_streams)).compactMap { context.pointee.streams[$0]?.pointee.codecpar.pointee.codec_type }
            if types.contains(AVMEDIA_TYPE_AUDIO) { throw VideoIOError.noVideoStream(path: name) }
            throw VideoIOError.notVideo(path: name, reason: "no video stream found (truncated or damaged file?)")
        }
        if best == nem_averror_decoder_not_found() || codecPointer == nil {
            let stream = best >= 0 ? context.pointee.streams[Int(best)] : nil
            let id = stream?.pointee.codecpar.pointee.codec_id ?? AV_CODEC_ID_NONE
            throw VideoIOError.notVideo(path: name, reason: "no decoder for codec \(String(cString: avcodec_get_name(id)))")
        }
        try check(best, "finding the video stream", path: name)
        guard let stream = context.pointee.streams[Int(best)], let codecPointer else {
            throw VideoIOError.noVideoStream(path: name)
        }
        if stream.pointee.disposition & AV_DISPOSITION_ATTACHED_PIC != 0 {
            throw VideoIOError.noVideoStream(path: name)   // only a cover image next to audio
        }
        streamIndex = best
        timeBase = stream.pointee.time_base
        let parameters = stream.pointee.codecpar.pointee
        width = Int(parameters.width)
        height = Int(parameters.height)
        if width * height > maxPixels {
            throw VideoIOError.frameTooLarge(path: name, width: width, height: height, maxPixels: maxPixels)
        }

        decoder = try CodecContextBox(codec: codecPointer, path: name)
        try check(avcodec_parameters_to_context(decoder.context, stream.pointee.codecpar),
                  "setting up the decoder", path: name)
        decoder.context.pointee.thread_count = Int32(options.threads)
        decoder.context.pointee.thread_type = FF_THREAD_FRAME | FF_THREAD_SLICE
        decoder.context.pointee.pkt_timebase = stream.pointee.time_base
        try check(avcodec_open2(decoder.context, codecPointer, nil), "opening the decoder", path: name)

        let guessed = av_guess_frame_rate(context, stream, nil)
        let rate = FrameRate(Int(guessed.num), Int(guessed.den))
        frameRate = options.raw?.frameRate ?? (rate.isValid ? rate : FrameRate(25))
        frameCount = stream.pointee.nb_frames > 0 ? Int(stream.pointee.nb_frames) : nil
        if stream.pointee.duration != nem_nopts_value() && stream.pointee.duration > 0 {
            duration = Double(stream.pointee.duration) * av_q2d(timeBase)
        } else if context.pointee.duration != nem_nopts_value() && context.pointee.duration > 0 {
            duration = Double(context.pointee.duration) / Double(AV_TIME_BASE)
        } else {
            duration = nil
        }
        codec = String(cString: avcodec_get_name(parameters.codec_id))
        container = context.pointee.iformat.map { String(cString: $0.pointee.name) } ?? "unknown"
        startPts = stream.pointee.start_time != nem_nopts_value() ? stream.pointee.start_time : nil

        packet = try PacketBox(path: name)
        decoded = try FrameBox(path: name)
    }

    /// The next frame in presentation order, or nil after the last one.
    ///
    /// Throws `noDecodableFrames` at the end when no frame decoded, `frameTooLarge` for a
    /// frame above the limit; corrupt frames are skipped and counted.
    public func nextFrame() throws -> VideoFrame? {
        if finished { return nil }
        var consecutiveErrors = 0
        while true {
            let received = avcodec_receive_frame(decoder.context, decoded.frame)
            if received >= 0 {
                if let frame = try takeDecodedFrame() { return frame }
                continue
            }
            if received == nem_averror_eof() { return try finish() }
            if received != nem_averror_eagain() {
                // A frame that failed to decode (reported late with frame threads).
                skip("frame failed to decode: \(ffmpegMessage(received))")
                // Each error consumes a frame, so this ends; the bound only guards against a
                // decoder that would repeat one error forever.
                consecutiveErrors += 1
                if consecutiveErrors > 10_000 {
                    throw VideoIOError.ffmpeg(path: name, operation: "decoding", code: received, message: ffmpegMessage(received))
                }
                continue
            }
            if draining { return try finish() }
            try feedDecoder()
        }
    }

    /// Reads packets until one of the video stream was sent to the decoder, or sends the
    /// end-of-stream flush.
    private func feedDecoder() throws {
        while true {
            let read = av_read_frame(format.context, packet.packet)
            if read == nem_averror_eof() {
                startDraining()
                return
            }
            if read == nem_averror_eagain() { continue }
            if read < 0 {
                // The demuxer cannot go on (cut-off or damaged file): keep what decoded.
                note("stopped reading after \(framesReturned) frames: \(ffmpegMessage(read)) (truncated or damaged file?)")
                startDraining()
                return
            }
            defer { av_packet_unref(packet.packet) }
            if packet.packet.pointee.stream_index != streamIndex { continue }
            let sent = avcodec_send_packet(decoder.context, packet.packet)
            if sent < 0 && sent != nem_averror_eagain() {
                skip("corrupt packet: \(ffmpegMessage(sent))")
                continue
            }
            return
        }
    }

    private func startDraining() {
        draining = true
        avcodec_send_packet(decoder.context, nil)
    }

    /// Wraps the frame just decoded, or returns nil (after counting it) when it is corrupt.
    private func takeDecodedFrame() throws -> VideoFrame? {
        let frame = decoded.frame.pointee
        if frame.flags & AV_FRAME_FLAG_CORRUPT != 0 || frame.decode_error_flags != 0
            || frame.width <= 0 || frame.height <= 0 {
            skip("corrupt frame")
            av_frame_unref(decoded.frame)
            return nil
        }
        if Int(frame.width) * Int(frame.height) > maxPixels {
            av_frame_unref(decoded.frame)
            throw VideoIOError.frameTooLarge(path: name, width: Int(frame.width), height: Int(frame.height),
                                             maxPixels: maxPixels)
        }
        let box = try FrameBox(path: name)
        av_frame_move_ref(box.frame, decoded.frame)
        let result = VideoFrame(index: framesReturned, timestamp: timestamp(of: box.frame.pointee), box: box)
        framesReturned += 1
        return result
    }

    /// Seconds since the stream's start, from the best-effort timestamp; frames without one
    /// are placed one frame period after the previous frame.
    private func timestamp(of frame: AVFrame) -> Double {
        let pts = frame.best_effort_timestamp
        let seconds: Double
        if pts == nem_nopts_value() {
            seconds = lastTimestamp.map { $0 + 1 / frameRate.fps } ?? 0
        } else {
            if startPts == nil { startPts = pts }
            seconds = Double(pts - (startPts ?? 0)) * av_q2d(timeBase)
        }
        lastTimestamp = seconds
        return seconds
    }

    private func finish() throws -> VideoFrame? {
        finished = true
        if framesReturned == 0 { throw VideoIOError.noDecodableFrames(path: name, skipped: skippedFrames) }
        if skippedFrames > 0 {
            note("\(skippedFrames) corrupt frame\(skippedFrames == 1 ? "" : "s") skipped")
        }
        if let frameCount, framesReturned + skippedFrames < frameCount {
            note("ended after \(framesReturned) of \(frameCount) frames (truncated file?)")
        }
        return nil
    }

    private func skip(_ message: String) {
        skippedFrames += 1
        note(message)
    }

    /// Keeps each distinct warning once (at most 20), so an endless damaged stream cannot
    /// grow the list without bound.
    private func note(_ message: String) {
        let line = "\(name): \(message)"
        if warnings.count < 20 && !warnings.contains(line) { warnings.append(line) }
    }

    /// Refuses, before FFmpeg sees it, a path that is missing, a folder, empty or unreadable.
    private static func checkReadableFile(_ path: String) throws {
        var info = stat()
        if stat(path, &info) != 0 {
            let error = errno
            if error == ENOENT || error == ENOTDIR { throw VideoIOError.missing(path: path) }
            throw VideoIOError.unreadable(path: path, reason: posixMessage(error))
        }
        if info.st_mode & S_IFMT == S_IFDIR { throw VideoIOError.unreadable(path: path, reason: "is a directory") }
        if info.st_mode & S_IFMT == S_IFREG && info.st_size == 0 { throw VideoIOError.empty(path: path) }
        if access(path, R_OK) != 0 { throw VideoIOError.unreadable(path: path, reason: posixMessage(errno)) }
    }
}

/// An opened `AVFormatContext` for input (avformat_open_input / avformat_close_input), with
/// its stream information read.
final class InputFormatBox {
    /// A path, or an open descriptor read through our own `AVIOContext`.
    enum Source {
        case file(String)
        case descriptor(Int32)
    }

    private(set) var context: UnsafeMutablePointer<AVFormatContext>?
    /// Kept alive as long as the context that reads through it.
    private let descriptorInput: DescriptorInput?

    init(_ source: Source, raw: RawVideoFormat?, name: String, maxPixels: Int) throws {
        var options: OpaquePointer?
        defer { av_dict_free(&options) }
        var inputFormat: UnsafePointer<AVInputFormat>?
        if let raw {
            guard raw.width > 0, raw.height > 0, raw.frameRate.isValid else {
                throw VideoIOError.badConfiguration(
                    path: name, reason: "raw input needs a positive size and frame rate (got \(raw.width)x\(raw.height) at \(raw.frameRate) fps)")
            }
            if raw.width * raw.height > maxPixels {
                throw VideoIOError.frameTooLarge(path: name, width: raw.width, height: raw.height, maxPixels: maxPixels)
            }
            inputFormat = av_find_input_format("rawvideo")
            av_dict_set(&options, "video_size", "\(raw.width)x\(raw.height)", 0)
            av_dict_set(&options, "pixel_format", raw.pixelFormat.rawValue, 0)
            av_dict_set(&options, "framerate", "\(raw.frameRate)", 0)
        }
        let url: String
        switch source {
        case .file(let path):
            url = "file:" + path      // "file:" so that a name like "a:b.mp4" is not a protocol
            descriptorInput = nil
        case .descriptor(let fd):
            url = ""
            let input = try DescriptorInput(fd, name: name)
            descriptorInput = input
            guard let context = avformat_alloc_context() else { throw outOfMemory(name, "avformat_alloc_context") }
            context.pointee.pb = input.context
            self.context = context
        }
        // On failure avformat_open_input frees the context and sets it to nil.
        let opened = avformat_open_input(&context, url, inputFormat, &options)
        if opened < 0 {
            if descriptorInput?.bytesRead == 0 { throw VideoIOError.empty(path: name) }
            if opened == nem_averror(ENOENT) { throw VideoIOError.missing(path: name) }
            if opened == nem_averror(EACCES) { throw VideoIOError.unreadable(path: name, reason: posixMessage(EACCES)) }
            if opened == nem_averror_eof() {
                throw VideoIOError.notVideo(path: name, reason: "ends before any video data")
            }
            throw VideoIOError.notVideo(path: name, reason: ffmpegMessage(opened))
        }
        let found = avformat_find_stream_info(context, nil)
        if found < 0 { throw VideoIOError.notVideo(path: name, reason: ffmpegMessage(found)) }
    }

    deinit { avformat_close_input(&context) }
}

/// Reads a file descriptor (stdin, a pipe) for FFmpeg through a custom `AVIOContext`
/// (avio_alloc_context / avio_context_free): no seeking, so probing only reads forward, and
/// the end of the pipe is FFmpeg's end of file.
final class DescriptorInput {
    let descriptor: Int32
    /// Bytes read so far (0 after a failed open: the pipe was empty).
    private(set) var bytesRead = 0
    private(set) var context: UnsafeMutablePointer<AVIOContext>?
    private static let bufferSize: Int32 = 1 << 16

    init(_ descriptor: Int32, name: String) throws {
        self.descriptor = descriptor
        guard let buffer = av_malloc(Int(Self.bufferSize)) else { throw outOfMemory(name, "av_malloc") }
        context = avio_alloc_context(buffer.assumingMemoryBound(to: UInt8.self), Self.bufferSize, 0,
                                     Unmanaged.passUnretained(self).toOpaque(), { opaque, bytes, size in
            guard let opaque, let bytes else { return nem_averror(EINVAL) }
            return Unmanaged<DescriptorInput>.fromOpaque(opaque).takeUnretainedValue().read(bytes, size)
        }, nil, nil)
        if context == nil {
            av_free(buffer)
            throw outOfMemory(name, "avio_alloc_context")
        }
    }

    /// FFmpeg's read callback: bytes read, or AVERROR_EOF at the end of the pipe.
    private func read(_ bytes: UnsafeMutablePointer<UInt8>, _ size: Int32) -> Int32 {
        while true {
            let count = Foundation.read(descriptor, bytes, Int(size))
            if count > 0 {
                bytesRead += count
                return Int32(count)
            }
            if count == 0 { return nem_averror_eof() }
            if errno != EINTR { return nem_averror(errno) }
        }
    }

    deinit {
        // FFmpeg may have replaced the buffer it was given; free the one it holds now.
        if let context { av_freep(&context.pointee.buffer) }
        avio_context_free(&context)
    }
}

