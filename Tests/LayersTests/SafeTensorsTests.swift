import Autodiff
import Foundation
import Layers
import XCTest

final class SafeTensorsTests: XCTestCase {
    func fixtureURL() throws -> URL {
        try XCTUnwrap(Bundle.module.url(forResource: "python_written", withExtension: "safetensors", subdirectory: "Fixtures"))
    }

    func temporaryFolder() throws -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nem-safetensors-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testReadsAFileWrittenByPython() throws {
        let file = try SafeTensors(contentsOf: fixtureURL())
        XCTAssertEqual(Set(file.tensors.keys), ["weight", "bias", "counts", "mask", "scalar", "empty"])
        XCTAssertEqual(file.tensors["weight"]?.shape, [2, 3])
        XCTAssertEqual(file.tensors["weight"]?.scalars, [-0.5, -0.25, 0, 0.25, 0.5, 0.75])
        XCTAssertEqual(file.tensors["bias"]?.scalars, [1.5, -2.25, 1e-3])          // F64
        XCTAssertEqual(file.tensors["counts"]?.scalars, [-3, 0, 7, 1_048_576])     // I32
        XCTAssertEqual(file.tensors["mask"]?.scalars, [0, 1, 255, 3])              // U8
        XCTAssertEqual(file.tensors["scalar"]?.shape, [])
        XCTAssertEqual(file.tensors["scalar"]?.scalar, 3.25)
        XCTAssertEqual(file.tensors["empty"]?.shape, [0, 4])
        XCTAssertEqual(file.metadata["writer"], "python safetensors")
        let spec = try LayerSpec.decode(json: XCTUnwrap(file.metadata["spec"]))
        XCTAssertEqual(spec, [.fc(3, act: .elu, ln: true)])
    }

    func testRoundTripAndHeaderLayout() throws {
        var rng = SeededRNG(seed: 7)
        let tensors: [String: Tensor] = [
            "b": Tensor(randomNormal: [3, 4], using: &rng), "a": Tensor(randomNormal: [5], using: &rng),
            "scalar": Tensor(2.5), "empty": .zeros([0, 2]),
        ]
        let metadata = ["spec": LayerSpec.json([.conv(32, act: .elu, ln: true), .flatten]), "k": "3", "quote": "a \"b\" / c"]
        let url = try temporaryFolder().appendingPathComponent("model.safetensors")
        try SafeTensors(tensors: tensors, metadata: metadata).write(to: url)

        let bytes = try Data(contentsOf: url)
        let headerLength = Int(bytes.prefix(8).enumerated().reduce(UInt64(0)) { $0 | UInt64($1.element) << (8 * UInt64($1.offset)) })
        XCTAssertEqual(headerLength % 8, 0, "header padded to 8 bytes")
        let header = bytes.subdata(in: 8..<(8 + headerLength))
        XCTAssertEqual(header.first, UInt8(ascii: "{"))
        let text = String(decoding: header, as: UTF8.self)
        XCTAssertEqual(text.trimmingCharacters(in: .whitespaces).last, "}", "only spaces after the JSON")
        let json = try XCTUnwrap(JSONSerialization.jsonObject(with: header) as? [String: Any])
        XCTAssertEqual(json["__metadata__"] as? [String: String], metadata)
        // Sorted names, contiguous F32 ranges from 0 to the end of the file.
        var position = 0
        for name in ["a", "b", "empty", "scalar"] {
            let entry = try XCTUnwrap(json[name] as? [String: Any])
            XCTAssertEqual(entry["dtype"] as? String, "F32")
            XCTAssertEqual(entry["shape"] as? [Int], tensors[name]!.shape)
            XCTAssertEqual(entry["data_offsets"] as? [Int], [position, position + 4 * tensors[name]!.count])
            position += 4 * tensors[name]!.count
        }
        XCTAssertEqual(bytes.count, 8 + headerLength + position)

        let read = try SafeTensors(contentsOf: url)
        XCTAssertEqual(read.metadata, metadata)
        for (name, t) in tensors {
            XCTAssertEqual(read.tensors[name]?.shape, t.shape, name)
            XCTAssertEqual(read.tensors[name]?.scalars, t.scalars, name)
        }
        XCTAssertEqual(try LayerSpec.decode(json: XCTUnwrap(read.metadata["spec"])), [.conv(32, act: .elu, ln: true), .flatten])
    }

    func testEveryTruncationIsAClearError() throws {
        let bytes = try Data(contentsOf: fixtureURL())
        for length in 0..<bytes.count {
            XCTAssertThrowsError(try SafeTensors(data: bytes.prefix(length), source: "cut.safetensors")) { error in
                guard case .invalid(let path, _) = error as? CheckpointError else { return XCTFail("\(error)") }
                XCTAssertEqual(path, "cut.safetensors")
            }
        }
    }

    func testMalformedHeadersAreRejected() throws {
        func file(_ header: String, data: [UInt8]) -> Data {
            var out = Data()
            withUnsafeBytes(of: UInt64(header.utf8.count).littleEndian) { out.append(contentsOf: $0) }
            out.append(Data(header.utf8))
            out.append(contentsOf: data)
            return out
        }
        let cases: [(String, [UInt8], String)] = [
            (#"{"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#,
             Array(repeating: 0, count: 8), "overlaps"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[4,8]}}"#, Array(repeating: 0, count: 8), "gap"),
            (#"{"a":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}}"#, Array(repeating: 0, count: 8), "needs 12 bytes"),
            (#"{"a":{"dtype":"F32","shape":[1],"data_offsets":[0,4]}}"#, Array(repeating: 0, count: 8), "after the last tensor"),
            (#"{"a":{"dtype":"C64","shape":[1],"data_offsets":[0,8]}}"#, Array(repeating: 0, count: 8), "unsupported dtype C64"),
            (#"{"a":{"dtype":"F32","shape":[-1],"data_offsets":[0,4]}}"#, Array(repeating: 0, count: 4), "no valid shape"),
            (#"{"__metadata__":{"k":3}}"#, [], "not a string"),
            (#"[1, 2]"#, [], "does not start with '{'"),
            (#"{"a": "#, [], "not a JSON object"),
        ]
        for (header, data, expected) in cases {
            XCTAssertThrowsError(try SafeTensors(data: file(header, data: data), source: "bad.safetensors")) { error in
                XCTAssertTrue("\(error)".contains(expected), "\(error) should mention \(expected)")
                XCTAssertTrue("\(error)".hasPrefix("bad.safetensors: "), "\(error)")
                XCTAssertEqual((error as? CheckpointError)?.exitCode, 65)
            }
        }
    }

    func testMissingFileAndExistingOutput() throws {
        let folder = try temporaryFolder()
        XCTAssertThrowsError(try SafeTensors(contentsOf: folder.appendingPathComponent("none.safetensors"))) { error in
            XCTAssertEqual((error as? CheckpointError)?.exitCode, 66)
            XCTAssertTrue("\(error)".contains("none.safetensors"))
        }
        let url = folder.appendingPathComponent("m.safetensors")
        try SafeTensors(tensors: ["x": .ones([2])]).write(to: url)
        XCTAssertThrowsError(try SafeTensors(tensors: ["x": .zeros([2])]).write(to: url)) { error in
            XCTAssertEqual((error as? CheckpointError)?.exitCode, 73)
        }
        try SafeTensors(tensors: ["x": .zeros([2])]).write(to: url, overwrite: true)
        XCTAssertEqual(try SafeTensors(contentsOf: url).tensors["x"]?.scalars, [0, 0])
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder.path), ["m.safetensors"], "no temporary left behind")
    }
}
