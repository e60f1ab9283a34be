import Foundation
import VideoIO

/// Writes each frame's labels as an indexed PNG (`00000.png`, …) at the source's size.
/// When the graph fails, the masks this run wrote are removed (and the folder, if it made it).
public struct MaskSink: Stage {
    public let writer: MaskWriter
    private let createdFolder: Bool
    private var written: [String] = []

    /// - Parameter createdFolder: whether the folder did not exist before `writer` made it.
    public init(writer: MaskWriter, createdFolder: Bool) {
        self.writer = writer
        self.createdFolder = createdFolder
    }

    public mutating func process(_ frame: LabelledFrame) throws {
        written.append(try writer.write(frame.labelMap, index: frame.prepared.index))
    }

    public mutating func finish(_ outcome: GraphOutcome) throws {
        guard !outcome.keepsOutputs else { return }
        for path in written { try? FileManager.default.removeItem(atPath: path) }
        if createdFolder { try? FileManager.default.removeItem(atPath: writer.folder) }
    }
}
