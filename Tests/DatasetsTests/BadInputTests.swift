import Foundation
import XCTest
import Datasets

/// Issue 3, "Bad input": each case is one line naming the file and what is wrong, with a
/// sysexits-style code (64 options, 65 bad data, 66 missing, 73 cannot create).
final class BadInputTests: XCTestCase {
    func testMissingFile() {
        assertDatasetError(try DatasetFile(path: "/nonexistent/data.h5"), exitCode: 66, contains: ["/nonexistent/data.h5", "no such file"])
    }

    func testDirectoryInsteadOfFile() throws {
        let folder = try makeTemporaryFolder(self)
        assertDatasetError(try DatasetFile(path: folder), exitCode: 66, contains: [folder, "directory"])
    }

    func testNonHDF5File() throws {
        let path = try makeTemporaryFolder(self) + "/notes.h5"
        try Data("just text\n".utf8).write(to: URL(fileURLWithPath: path))
        assertDatasetError(try DatasetFile(path: path), exitCode: 65, contains: [path, "not an HDF5 file"])
    }

    func testFileWithoutSplitGroups() {
        let path = fixturePath("bad_no_splits.h5")
        assertDatasetError(try DatasetFile(path: path), exitCode: 65, contains: [path, "'training'"])
    }

    func testMissingSplitAndMissingDataset() throws {
        let path = fixturePath("bad_missing_groups.h5")
        let file = try DatasetFile(path: path)
        assertDatasetError(try file.split(.training), exitCode: 65, contains: [path, "training/groups"])
        assertDatasetError(try file.split(.test), exitCode: 65, contains: [path, "'test'"])
    }

    func testMismatchedFeaturesAndGroupsShapes() throws {
        let path = fixturePath("bad_shape_mismatch.h5")
        assertDatasetError(try DatasetFile(path: path).split(.training), exitCode: 65,
                           contains: [path, "training/groups has shape (2, 2, 4, 4, 1) but training/features has (2, 3, 4, 4, 1)"])
    }

    func testWrongRank() throws {
        let path = fixturePath("bad_rank.h5")
        assertDatasetError(try DatasetFile(path: path).split(.training), exitCode: 65, contains: [path, "rank 4", "(T, N, H, W, C)"])
    }

    func testOutOfRangeReads() throws {
        let reader = try DatasetFile(path: fixturePath("h5py_original_layout.h5")).split(.training)
        assertDatasetError(try reader.read(sequences: [0, 5]), exitCode: 64, contains: ["sequence 5 out of range 0..<5"])
        assertDatasetError(try reader.read(sequences: [0], frames: 2..<4), exitCode: 64, contains: ["frames"])
    }

    func testMNISTDirectoryProblems() throws {
        let folder = try makeTemporaryFolder(self)
        assertDatasetError(try MNISTDigits(directory: folder + "/absent", splits: [.training]), exitCode: 66, contains: ["absent", "no such MNIST directory"])
        // A directory without IDX files.
        assertDatasetError(try MNISTDigits(directory: folder, splits: [.training]), exitCode: 65,
                           contains: [folder, "no train-images-idx3-ubyte[.gz]"])
        // Only the training file: the test split cannot be made.
        let mnist = try writeTinyMNIST(in: folder)
        try FileManager.default.removeItem(atPath: mnist + "/t10k-images-idx3-ubyte")
        assertDatasetError(try MNISTDigits(directory: mnist, splits: [.test]), exitCode: 65, contains: ["t10k-images-idx3-ubyte", "test split"])
        // Wrong magic (a labels file named as images), truncated data, damaged gzip.
        let images = mnist + "/train-images-idx3-ubyte.gz"
        try Data(gzipStored([0, 0, 8, 1, 0, 0, 0, 2, 7, 3])).write(to: URL(fileURLWithPath: images))
        assertDatasetError(try MNISTDigits(directory: mnist, splits: [.training]), exitCode: 65, contains: [images, "magic 00000801"])
        try Data(gzipStored(Array(idxImages(count: 3).dropLast(10)))).write(to: URL(fileURLWithPath: images))
        assertDatasetError(try MNISTDigits(directory: mnist, splits: [.training]), exitCode: 65, contains: [images, "3×28×28"])
        var damaged = gzipStored(idxImages(count: 3))
        damaged.removeLast(6)
        damaged[12] ^= 0xFF
        try Data(damaged).write(to: URL(fileURLWithPath: images))
        assertDatasetError(try MNISTDigits(directory: mnist, splits: [.training]), exitCode: 65, contains: [images])
    }

    func testImpossibleOptions() throws {
        assertDatasetError(try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: 0, objects: 3)), exitCode: 64,
                           contains: ["flying-shapes", "--frames must be at least 1"])
        assertDatasetError(try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: 21, objects: 11)), exitCode: 64,
                           contains: ["11 objects do not fit on a 28×28 canvas", "at most 10"])
        assertDatasetError(try StaticShapes(options: GeneratorOptions(height: 28, width: 28, frames: 1, objects: 0)), exitCode: 64,
                           contains: ["--objects must be at least 1"])
        assertDatasetError(try StaticShapes(options: GeneratorOptions(height: 28, width: 28, frames: 5, objects: 3)), exitCode: 64,
                           contains: ["static images have 1 frame"])
        assertDatasetError(try StaticShapes(options: GeneratorOptions(height: 6, width: 28, frames: 1, objects: 1)), exitCode: 64,
                           contains: ["6×28 canvas is smaller than its objects"])
        assertDatasetError(try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: 3, objects: 3, speed: 1...40)), exitCode: 64,
                           contains: ["speed"])
        let folder = try makeTemporaryFolder(self)
        let digits = try MNISTDigits(directory: try writeTinyMNIST(in: folder), splits: [.training])
        assertDatasetError(try FlyingMNIST(options: GeneratorOptions(height: 24, width: 24, frames: 21, objects: 6), digits: digits), exitCode: 64,
                           contains: ["6 objects do not fit on a 24×24 canvas"])
        let mnist = try FlyingMNIST(digits: digits)
        assertDatasetError(try DatasetGeneration.generate(mnist, counts: [.test: 3], seed: 1, featureType: .uint8, to: folder + "/m.h5"),
                           exitCode: 64, contains: ["cannot make the test split"])
        assertDatasetError(try DatasetGeneration.generate(mnist, counts: [.training: 0], seed: 1, featureType: .uint8, to: folder + "/m.h5"),
                           exitCode: 64, contains: ["nothing to generate"])
        XCTAssertFalse(FileManager.default.fileExists(atPath: folder + "/m.h5"))
    }

    func testOutputThatCannotBeCreated() throws {
        let folder = try makeTemporaryFolder(self)
        let path = folder + "/exists.h5"
        try Data("x".utf8).write(to: URL(fileURLWithPath: path))
        let generator = try StaticShapes()
        assertDatasetError(try DatasetGeneration.generate(generator, counts: [.training: 2], seed: 1, featureType: .uint8, to: path),
                           exitCode: 73, contains: [path, "file exists (use --overwrite"])
        XCTAssertEqual(try String(contentsOfFile: path, encoding: .utf8), "x", "untouched")
        try DatasetGeneration.generate(generator, counts: [.training: 2], seed: 1, featureType: .uint8, to: path, overwrite: true)
        XCTAssertEqual(try DatasetFile(path: path).split(.training).shape.sequences, 2)
        assertDatasetError(try DatasetWriter(path: folder + "/no/such/folder/out.h5", overwrite: false), exitCode: 73,
                           contains: ["out.h5", "does not exist"])
    }
}
