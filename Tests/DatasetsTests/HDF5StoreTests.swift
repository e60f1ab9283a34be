import Foundation
import XCTest
import Datasets

/// The HDF5 store: our files round-trip, h5py's files load, writing is atomic (issue 3, "h5py interop both ways").
final class HDF5StoreTests: XCTestCase {
    func testGeneratedFileRoundTripsExactlyForBothFeatureTypes() throws {
        let folder = try makeTemporaryFolder(self)
        let generator = try FlyingShapes(options: GeneratorOptions(height: 20, width: 24, frames: 5, objects: 2))
        for type in FeatureType.allCases {
            let path = folder + "/flying-\(type).h5"
            try DatasetGeneration.generate(generator, counts: [.training: 9, .test: 3], seed: 7, featureType: type, to: path)
            let file = try DatasetFile(path: path)
            XCTAssertEqual(file.splits, [.training, .test])
            XCTAssertEqual(file.attribute("kind"), "flying-shapes")
            XCTAssertEqual(file.attribute("seed"), "7")
            let reader = try file.split(.training)
            XCTAssertEqual(reader.shape, SplitShape(frames: 5, sequences: 9, height: 20, width: 24, channels: 1))
            XCTAssertEqual(reader.featuresType, type.rawValue)
            XCTAssertEqual(reader.groupsType, "uint8")
            XCTAssertTrue(reader.hasOverlaps)
            let order = [8, 2, 5, 2, 0]  // shuffled, with a repeat
            let batch = try reader.read(sequences: order)
            XCTAssertEqual([batch.t, batch.b, batch.h, batch.w, batch.c], [5, 5, 20, 24, 1])
            for (b, index) in order.enumerated() {
                let expected = generator.sequence(split: .training, index: index, seed: 7)
                for t in 0..<5 {
                    let src = t * 480, dst = (t * 5 + b) * 480
                    XCTAssertEqual(Array(batch.features[dst..<dst + 480]), Array(expected.features[src..<src + 480]))
                    XCTAssertEqual(Array(batch.groups[dst..<dst + 480]), expected.groups[src..<src + 480].map(Int32.init))
                }
            }
            let overlaps = try XCTUnwrap(reader.readOverlaps(sequences: 3..<4))
            XCTAssertEqual(overlaps, generator.sequence(split: .training, index: 3, seed: 7).overlaps)
        }
    }

    func testGreyUInt8FeaturesRoundTripWithinHalfAStep() throws {
        let folder = try makeTemporaryFolder(self)
        let digits = try MNISTDigits(directory: try writeTinyMNIST(in: folder), splits: [.training])
        let generator = try FlyingMNIST(options: GeneratorOptions(height: 24, width: 24, frames: 3, objects: 2), digits: digits)
        let path = folder + "/mnist.h5"
        try DatasetGeneration.generate(generator, counts: [.training: 4], seed: 1, featureType: .uint8, to: path)
        let batch = try DatasetFile(path: path).split(.training).read(sequences: [1])
        let expected = generator.sequence(split: .training, index: 1, seed: 1).features
        XCTAssertEqual(batch.features.count, expected.count)
        for (stored, exact) in zip(batch.features, expected) { XCTAssertEqual(stored, exact, accuracy: 0.5 / 255 + 1e-6) }
    }

    func testLoadsH5pyWrittenOriginalLayoutFixture() throws {
        // Written by scripts/fixtures/data_h5py_original_layout.py; values follow its formulas.
        let file = try DatasetFile(path: fixturePath("h5py_original_layout.h5"))
        XCTAssertEqual(file.splits, [.training, .validation, .test])
        func expectedGroup(_ t: Int, _ n: Int, _ y: Int, _ x: Int) -> Int32 { Int32((t + n + y + x) % 4) }
        func expectedFeature(_ t: Int, _ n: Int, _ y: Int, _ x: Int) -> Float {
            expectedGroup(t, n, y, x) > 0 ? Float((7 * t + 3 * n + 5 * y + x) % 10 + 1) / 10 : 0
        }
        let cases: [(Split, SplitShape, String, String, [Int])] = [
            (.training, SplitShape(frames: 3, sequences: 5, height: 6, width: 4, channels: 1), "float32", "float32", [4, 0, 2]),
            (.validation, SplitShape(frames: 3, sequences: 4, height: 6, width: 4, channels: 1), "float64", "int64", [3, 1, 1, 2]),
            (.test, SplitShape(frames: 1, sequences: 4, height: 6, width: 4, channels: 1), "float32", "uint8", [0, 1, 2, 3]),
        ]
        for (split, shape, featuresType, groupsType, order) in cases {
            let reader = try file.split(split)
            XCTAssertEqual(reader.shape, shape, "\(split)")
            XCTAssertEqual(reader.featuresType, featuresType)
            XCTAssertEqual(reader.groupsType, groupsType)
            let batch = try reader.read(sequences: order)
            for t in 0..<shape.frames {
                for (b, n) in order.enumerated() {
                    for y in 0..<6 {
                        for x in 0..<4 {
                            let i = ((t * order.count + b) * 6 + y) * 4 + x
                            XCTAssertEqual(batch.features[i], expectedFeature(t, n, y, x), accuracy: 1e-7, "\(split) t\(t) n\(n) y\(y) x\(x)")
                            XCTAssertEqual(batch.groups[i], expectedGroup(t, n, y, x), "\(split) t\(t) n\(n) y\(y) x\(x)")
                        }
                    }
                }
            }
        }
        let overlaps = try XCTUnwrap(file.split(.training).readOverlaps(sequences: 1..<2))
        XCTAssertEqual(overlaps[0], 1 + UInt8((0 + 2 * 1 + 0) % 2))  // t0 n1 y0 x0: group (0+1+0+0)%4 = 1 > 0
        XCTAssertNil(try file.split(.validation).readOverlaps(sequences: 0..<1))
        // A frame window reads only those frames.
        let window = try file.split(.training).read(sequences: [2], frames: 1..<3)
        XCTAssertEqual(window.t, 2)
        XCTAssertEqual(window.groups[0], expectedGroup(1, 2, 0, 0))
    }

    func testH5pyOpensOurFileWithTheOriginalLayout() throws {
        // scripts/check_h5_layout.py, run on files we generate; needs Debian's python3-h5py (scripts/setup).
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let script = root.appendingPathComponent("scripts/check_h5_layout.py").path
        let probe = try runProcess("/usr/bin/env", [systemPython, "-c", "import h5py"])
        try XCTSkipIf(probe.status != 0, "\(systemPython) has no h5py (scripts/setup installs python3-h5py)")
        let folder = try makeTemporaryFolder(self)
        let generators: [any SequenceGenerator] = [try StaticShapes(), try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: 6, objects: 4))]
        for (i, generator) in generators.enumerated() {
            for type in FeatureType.allCases {
                let path = folder + "/check-\(i)-\(type).h5"
                try DatasetGeneration.generate(generator, counts: [.training: 30, .validation: 5, .test: 5], seed: 3, featureType: type, to: path)
                let result = try runProcess("/usr/bin/env", [systemPython, script, path])
                XCTAssertEqual(result.status, 0, result.output)
                XCTAssertTrue(result.output.contains("OK: original layout"), result.output)
            }
        }
        // The checker is not a rubber stamp: it rejects a malformed file.
        let bad = try runProcess("/usr/bin/env", [systemPython, script, fixturePath("bad_shape_mismatch.h5")])
        XCTAssertNotEqual(bad.status, 0)
    }

    func testWriterUsesTemporaryNameAndRenamesWhenComplete() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/out.h5"
        let generator = try StaticShapes()
        do {
            let writer = try DatasetWriter(path: path, overwrite: false)
            XCTAssertTrue(FileManager.default.fileExists(atPath: writer.temporaryPath))
            XCTAssertEqual(URL(fileURLWithPath: writer.temporaryPath).deletingLastPathComponent().path, folder)
            XCTAssertFalse(FileManager.default.fileExists(atPath: path))
            let split = try writer.createSplit(.training, shape: generator.shape(sequences: 2), featureType: .uint8)
            try split.write(SequenceEncoder.encode(generator.sequence(split: .training, index: 0, seed: 1), as: .uint8), at: 0)
            // Finishing with a sequence missing is refused, and leaves no final file.
            assertDatasetError(try writer.finish(), exitCode: 73, contains: [path, "1 of 2 sequences"])
            XCTAssertFalse(FileManager.default.fileExists(atPath: path))
        }
        // An abandoned writer removes its temporary file.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: folder), [])
        let writer = try DatasetWriter(path: path, overwrite: false)
        let temporary = writer.temporaryPath
        let split = try writer.createSplit(.test, shape: generator.shape(sequences: 1), featureType: .float32)
        try split.write(SequenceEncoder.encode(generator.sequence(split: .test, index: 0, seed: 1), as: .float32), at: 0)
        try writer.finish()
        XCTAssertTrue(FileManager.default.fileExists(atPath: path))
        XCTAssertFalse(FileManager.default.fileExists(atPath: temporary))
        XCTAssertEqual(try DatasetFile(path: path).splits, [.test])
    }

    func testSameFileWhateverTheNumberOfThreads() throws {
        let folder = try makeTemporaryFolder(self)
        let generator = try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: 4, objects: 3))
        var batches: [Batch] = []
        for threads in [1, 3] {
            let path = folder + "/threads-\(threads).h5"
            try DatasetGeneration.generate(generator, counts: [.training: 40], seed: 11, featureType: .uint8, to: path, threads: threads)
            batches.append(try DatasetFile(path: path).split(.training).read(sequences: Array(0..<40)))
        }
        XCTAssertEqual(batches[0], batches[1])
    }
}

/// Runs a program and returns its exit status and combined output.
func runProcess(_ executable: String, _ arguments: [String]) throws -> (status: Int32, output: String) {
    let process = Process()
    process.executableURL = URL(fileURLWithPath: executable)
    process.arguments = arguments
    let pipe = Pipe()
    process.standardOutput = pipe
    process.standardError = pipe
    try process.run()
    let data = pipe.fileHandleForReading.readDataToEndOfFile()
    process.waitUntilExit()
    return (process.terminationStatus, String(decoding: data, as: UTF8.self))
}
