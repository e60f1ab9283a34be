import Foundation
import XCTest
import Datasets

/// A fresh temporary folder per test, removed afterwards.
func makeTemporaryFolder(_ test: XCTestCase) throws -> String {
    let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nem-datasets-\(UUID().uuidString)").path
    try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
    test.addTeardownBlock { try? FileManager.default.removeItem(atPath: folder) }
    return folder
}

/// A committed fixture file's path.
func fixturePath(_ name: String) -> String {
    Bundle.module.url(forResource: name, withExtension: nil, subdirectory: "Fixtures")!.path
}

/// Asserts `body` throws a `DatasetError` whose line contains every fragment and whose exit code is `exitCode`.
func assertDatasetError<T>(_ body: @autoclosure () throws -> T, exitCode: Int32, contains fragments: [String],
                           file: StaticString = #filePath, line: UInt = #line) {
    do {
        _ = try body()
        XCTFail("expected a DatasetError containing \(fragments)", file: file, line: line)
    } catch let error as DatasetError {
        let text = error.description
        XCTAssertFalse(text.contains("\n"), "error must be one line: \(text)", file: file, line: line)
        for fragment in fragments {
            XCTAssertTrue(text.contains(fragment), "'\(text)' should contain '\(fragment)'", file: file, line: line)
        }
        XCTAssertEqual(error.exitCode, exitCode, "exit code of '\(text)'", file: file, line: line)
    } catch {
        XCTFail("expected a DatasetError, got \(error)", file: file, line: line)
    }
}

/// A tiny MNIST-like IDX image file: `count` images of `rows`×`columns`, each a bright block of
/// varying size and position with a fainter rim, so digits have intensities between 0 and 255.
func idxImages(count: Int, rows: Int = 28, columns: Int = 28) -> [UInt8] {
    var bytes: [UInt8] = [0, 0, 0x08, 3]
    for d in [count, rows, columns] { bytes += [UInt8(d >> 24 & 255), UInt8(d >> 16 & 255), UInt8(d >> 8 & 255), UInt8(d & 255)] }
    for n in 0..<count {
        let height = 8 + n % 9, width = 6 + (n * 5) % 11
        let top = 4 + n % 5, left = 4 + (n * 3) % 7
        for y in 0..<rows {
            for x in 0..<columns {
                let inside = (top..<top + height).contains(y) && (left..<left + width).contains(x)
                let rim = (top - 1..<top + height + 1).contains(y) && (left - 1..<left + width + 1).contains(x)
                bytes.append(inside ? UInt8(150 + (n * 13) % 106) : rim ? 40 : 0)
            }
        }
    }
    return bytes
}

/// gzip of `data` using stored (uncompressed) deflate blocks: a valid .gz that any reader inflates.
func gzipStored(_ data: [UInt8]) -> [UInt8] {
    var out: [UInt8] = [0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 255]
    var offset = 0
    repeat {
        let n = min(65_535, data.count - offset)
        let final: UInt8 = offset + n == data.count ? 1 : 0
        out += [final, UInt8(n & 255), UInt8(n >> 8), UInt8(~n & 255), UInt8((~n >> 8) & 255)]
        out += data[offset..<offset + n]
        offset += n
    } while offset < data.count
    var crc: UInt32 = 0xFFFF_FFFF
    for byte in data {
        crc ^= UInt32(byte)
        for _ in 0..<8 { crc = crc & 1 == 1 ? (crc >> 1) ^ 0xEDB8_8320 : crc >> 1 }
    }
    crc = ~crc
    let size = UInt32(truncatingIfNeeded: data.count)
    for value in [crc, size] { out += [UInt8(value & 255), UInt8(value >> 8 & 255), UInt8(value >> 16 & 255), UInt8(value >> 24)] }
    return out
}

/// Writes a tiny MNIST directory: gzipped training images, plain test images.
func writeTinyMNIST(in folder: String, train: Int = 24, test: Int = 8) throws -> String {
    let directory = folder + "/mnist"
    try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
    try Data(gzipStored(idxImages(count: train))).write(to: URL(fileURLWithPath: directory + "/train-images-idx3-ubyte.gz"))
    try Data(idxImages(count: test)).write(to: URL(fileURLWithPath: directory + "/t10k-images-idx3-ubyte"))
    return directory
}

/// Debian's Python, where scripts/setup installs the modules the tests check files with (NumPy, h5py,
/// Pillow): a `python3` earlier on PATH (pyenv, a virtual environment) may lack them.
let systemPython = FileManager.default.isExecutableFile(atPath: "/usr/bin/python3") ? "/usr/bin/python3" : "python3"
