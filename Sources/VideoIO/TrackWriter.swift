import Foundation

/// Writes tracks in the MOT Challenge text format, one row per visible component per frame:
///
///     frame,id,bb_left,bb_top,bb_width,bb_height,conf,-1,-1,-1
///
/// with 1-based frames and ids (id = component label), boxes in the source's pixels and
/// conf = the mean γ of the component's pixels. Written under a temporary name and renamed
/// by `finish()`. Not thread-safe: one writer per queue.
public final class TrackWriter: @unchecked Sendable {
    public let path: String
    /// The source's size: boxes found at the model's size are scaled to it.
    public let sourceWidth: Int
    public let sourceHeight: Int
    /// Rows written so far.
    public private(set) var rows = 0
    private let output: OutputPath
    private var file: UnsafeMutablePointer<FILE>?

    public init(path: String, sourceWidth: Int, sourceHeight: Int, overwrite: Bool = false) throws {
        self.path = path
        self.sourceWidth = sourceWidth
        self.sourceHeight = sourceHeight
        output = try OutputPath(path, overwrite: overwrite)
        guard let file = fopen(output.temporaryPath, "w") else {
            throw VideoIOError.outputNotCreatable(path: path, reason: posixMessage(errno))
        }
        self.file = file
    }

    deinit {
        if file != nil { cancel() }
    }

    /// Adds the rows of frame `index` (0-based).
    /// - Parameters:
    ///   - labels: (h, w) component per pixel at the model's size, 0 = background.
    ///   - confidence: (h, w) γ of each pixel's own component.
    public func write(frame index: Int, labels: LabelMap, confidence: [Float]) throws {
        precondition(confidence.count == labels.labels.count, "TrackWriter: \(confidence.count) confidences for \(labels.labels.count) pixels")
        guard let file else { preconditionFailure("TrackWriter.write after finish/cancel") }
        for box in Self.boxes(labels, confidence) {
            let scaleX = Double(sourceWidth) / Double(labels.width), scaleY = Double(sourceHeight) / Double(labels.height)
            let left = Double(box.minX) * scaleX, top = Double(box.minY) * scaleY
            let right = Double(box.maxX + 1) * scaleX, bottom = Double(box.maxY + 1) * scaleY
            let line = [String(index + 1), String(box.label), number(left), number(top),
                        number(right - left), number(bottom - top), String(format: "%.4f", box.confidence),
                        "-1", "-1", "-1"].joined(separator: ",") + "\n"
            if fputs(line, file) < 0 {
                throw VideoIOError.outputNotCreatable(path: path, reason: posixMessage(errno))
            }
            rows += 1
        }
    }

    /// Completes the file and renames it to `path`.
    public func finish() throws {
        guard let file else { preconditionFailure("TrackWriter.finish after finish/cancel") }
        self.file = nil
        if fclose(file) != 0 {
            let reason = posixMessage(errno)
            output.discard()
            throw VideoIOError.outputNotCreatable(path: path, reason: reason)
        }
        try output.commit()
    }

    /// Stops without a file.
    public func cancel() {
        if let file { fclose(file) }
        file = nil
        output.discard()
    }

    /// Bounding box and mean confidence of each label present, in label order.
    static func boxes(_ labels: LabelMap, _ confidence: [Float])
        -> [(label: Int, minX: Int, minY: Int, maxX: Int, maxY: Int, confidence: Double)] {
        var minX = [Int](repeating: .max, count: 256), minY = minX
        var maxX = [Int](repeating: -1, count: 256), maxY = maxX
        var sum = [Double](repeating: 0, count: 256), count = [Int](repeating: 0, count: 256)
        for y in 0..<labels.height {
            for x in 0..<labels.width {
                let i = y * labels.width + x
                let label = Int(labels.labels[i])
                if label == 0 { continue }
                minX[label] = min(minX[label], x); maxX[label] = max(maxX[label], x)
                minY[label] = min(minY[label], y); maxY[label] = max(maxY[label], y)
                sum[label] += Double(confidence[i]); count[label] += 1
            }
        }
        return (1..<256).filter { count[$0] > 0 }.map {
            ($0, minX[$0], minY[$0], maxX[$0], maxY[$0], sum[$0] / Double(count[$0]))
        }
    }

    /// A pixel coordinate: whole numbers without decimals, others with two.
    private func number(_ value: Double) -> String {
        value == value.rounded() ? String(Int(value)) : String(format: "%.2f", value)
    }
}
