internal import CFFmpeg
import Foundation

/// Writes one 8-bit indexed PNG per frame (`00000.png`, `00001.png`, …) in the DAVIS / PASCAL
/// VOC layout: pixel value = component label (0 = background, 1…K), the palette of
/// `Palette.davis`, at the source's size (labels upscaled nearest-neighbour).
///
/// PNGs are encoded by FFmpeg's png encoder (pal8); each is written under a temporary name
/// and renamed when complete. Not thread-safe: one writer per queue.
public final class MaskWriter: @unchecked Sendable {
    /// The folder holding the PNGs.
    public let folder: String
    /// Size of each PNG (the source's size).
    public let width: Int
    public let height: Int
    public let palette: Palette
    private let overwrite: Bool
    private let encoder: CodecContextBox
    private let frame: FrameBox
    private let packet: PacketBox

    /// Creates `folder` if needed (its parent must exist). Refuses a folder that already holds
    /// masks unless `overwrite`.
    public init(folder: String, width: Int, height: Int, palette: Palette = .davis, overwrite: Bool = false) throws {
        _ = silenceFFmpegLog
        self.folder = folder
        self.width = width
        self.height = height
        self.palette = palette
        self.overwrite = overwrite
        guard width > 0, height > 0 else {
            throw VideoIOError.badConfiguration(path: folder, reason: "mask size \(width)×\(height) is empty")
        }
        var isFolder: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isFolder) {
            guard isFolder.boolValue else { throw VideoIOError.outputNotCreatable(path: folder, reason: "is not a folder") }
            try OutputPath.checkCreatable(Self.fileName(folder, 0), overwrite: overwrite)
        } else {
            try OutputPath.checkWritableFolder(URL(fileURLWithPath: folder).deletingLastPathComponent().path, for: folder)
            if mkdir(folder, 0o755) != 0 {
                throw VideoIOError.outputNotCreatable(path: folder, reason: posixMessage(errno))
            }
        }

        guard let png = avcodec_find_encoder(AV_CODEC_ID_PNG) else {
            throw VideoIOError.badConfiguration(path: folder, reason: "this FFmpeg has no png encoder")
        }
        encoder = try CodecContextBox(codec: png, path: folder)
        encoder.context.pointee.width = Int32(width)
        encoder.context.pointee.height = Int32(height)
        encoder.context.pointee.pix_fmt = AV_PIX_FMT_PAL8
        encoder.context.pointee.time_base = AVRational(num: 1, den: 25)
        try check(avcodec_open2(encoder.context, png, nil), "opening the png encoder", path: folder)
        frame = try FrameBox(path: folder)
        frame.frame.pointee.format = AV_PIX_FMT_PAL8.rawValue
        frame.frame.pointee.width = Int32(width)
        frame.frame.pointee.height = Int32(height)
        try check(av_frame_get_buffer(frame.frame, 0), "allocating a mask", path: folder)
        packet = try PacketBox(path: folder)
    }

    /// Writes the mask of frame `index` (0-based; file `%05d.png`) and returns its path.
    @discardableResult
    public func write(_ labels: LabelMap, index: Int) throws -> String {
        let path = Self.fileName(folder, index)
        let output = try OutputPath(path, overwrite: overwrite)
        try check(av_frame_make_writable(frame.frame), "preparing a mask", path: path)
        fill(labels)
        try check(avcodec_send_frame(encoder.context, frame.frame), "encoding the mask", path: path)
        try check(avcodec_receive_packet(encoder.context, packet.packet), "encoding the mask", path: path)
        defer { av_packet_unref(packet.packet) }
        let bytes = UnsafeRawBufferPointer(start: packet.packet.pointee.data, count: Int(packet.packet.pointee.size))
        try writeFile(bytes, to: output)
        return path
    }

    /// Indices (labels upscaled) into plane 0, the palette (0xAARRGGBB words) into plane 1.
    private func fill(_ labels: LabelMap) {
        let pointer = frame.frame.pointee
        guard let indices = pointer.data.0, let paletteBytes = pointer.data.1 else { return }
        let stride = Int(pointer.linesize.0)
        let columns = (0..<width).map { $0 * labels.width / width }
        for y in 0..<height {
            let row = (y * labels.height / height) * labels.width
            for x in 0..<width { indices[y * stride + x] = labels.labels[row + columns[x]] }
        }
        paletteBytes.withMemoryRebound(to: UInt32.self, capacity: 256) { words in
            for i in 0..<256 {
                let colour = palette.colour(i)
                words[i] = 0xFF00_0000 | UInt32(colour.r) << 16 | UInt32(colour.g) << 8 | UInt32(colour.b)
            }
        }
    }

    private static func fileName(_ folder: String, _ index: Int) -> String {
        folder + "/" + String(format: "%05d.png", index)
    }
}

/// Writes `bytes` under `output`'s temporary name, then renames it into place.
func writeFile(_ bytes: UnsafeRawBufferPointer, to output: OutputPath) throws {
    let descriptor = open(output.temporaryPath, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
    guard descriptor >= 0 else {
        throw VideoIOError.outputNotCreatable(path: output.path, reason: posixMessage(errno))
    }
    var offset = 0
    while offset < bytes.count {
        let written = Foundation.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
        if written < 0 && errno == EINTR { continue }
        if written <= 0 {
            let reason = posixMessage(errno)
            close(descriptor)
            output.discard()
            throw VideoIOError.outputNotCreatable(path: output.path, reason: reason)
        }
        offset += written
    }
    close(descriptor)
    try output.commit()
}
