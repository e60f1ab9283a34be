internal import CZlib
import Foundation

/// Images from an IDX file (the MNIST format): unsigned bytes, (count, rows, cols), gzipped or not.
public struct IDXImages: Sendable {
    public let count: Int
    public let rows: Int
    public let columns: Int
    /// // (count, rows, columns)
    public let pixels: [UInt8]

    /// Reads an `idx3-ubyte` file; zlib reads gzip and plain files alike.
    public init(path: String) throws {
        let bytes = try Self.readAll(path)
        guard bytes.count >= 4 else {
            throw DatasetError.badMNIST(path: path, reason: "not an IDX image file (only \(bytes.count) bytes)")
        }
        // Magic: two zero bytes, type 0x08 (unsigned byte), 3 dimensions; sizes are big-endian UInt32.
        guard bytes[0] == 0, bytes[1] == 0, bytes[2] == 0x08, bytes[3] == 3 else {
            let magic = bytes[0..<4].map { String(format: "%02x", $0) }.joined()
            throw DatasetError.badMNIST(path: path, reason: "not an IDX image file (magic \(magic), expected 00000803: ubyte, 3 dimensions)")
        }
        guard bytes.count >= 16 else {
            throw DatasetError.badMNIST(path: path, reason: "IDX header cut short (\(bytes.count) bytes)")
        }
        func dimension(_ i: Int) -> Int {
            bytes[4 + 4 * i..<8 + 4 * i].reduce(0) { $0 << 8 | Int($1) }
        }
        count = dimension(0); rows = dimension(1); columns = dimension(2)
        let expected = count * rows * columns
        guard count > 0, rows > 0, columns > 0, bytes.count - 16 == expected else {
            throw DatasetError.badMNIST(path: path, reason: "IDX header says \(count)×\(rows)×\(columns) images (\(expected) bytes) but the file holds \(bytes.count - 16)")
        }
        pixels = Array(bytes[16...])
    }

    private static func readAll(_ path: String) throws -> [UInt8] {
        guard let file = gzopen(path, "rb") else {
            throw DatasetError.missing(path: path, reason: "cannot be opened")
        }
        defer { gzclose(file) }
        var output: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let n = gzread(file, &chunk, UInt32(chunk.count))
            if n < 0 {
                var code: Int32 = 0
                let message = gzerror(file, &code).map { String(cString: $0) } ?? "read error"
                throw DatasetError.badMNIST(path: path, reason: "damaged gzip data: \(message)")
            }
            if n == 0 { break }
            output += chunk[0..<Int(n)]
        }
        return output
    }
}
