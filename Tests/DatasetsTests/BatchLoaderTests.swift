import Autodiff
import Foundation
import XCTest
import Datasets

/// Shuffled mini-batches from files and from generators, and the reference's noise models.
final class BatchLoaderTests: XCTestCase {
    func makeFile(_ generator: any SequenceGenerator, sequences: Int, seed: UInt64 = 3) throws -> String {
        let path = try makeTemporaryFolder(self) + "/data.h5"
        try DatasetGeneration.generate(generator, counts: [.training: sequences, .validation: 4], seed: seed, featureType: .uint8, to: path)
        return path
    }

    /// The sequence a batch slot holds, identified by its first frame's groups.
    func identify(_ batch: Batch, slot b: Int, among sequences: [[UInt8]]) -> Int? {
        let frame = batch.groups[b * batch.frameSize..<(b + 1) * batch.frameSize].map { UInt8($0) }
        return sequences.firstIndex(of: Array(frame))
    }

    func testShuffledEpochsVisitEverySequenceOnceAndReshuffle() throws {
        let generator = try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: 3, objects: 3))
        let file = try DatasetFile(path: try makeFile(generator, sequences: 26))
        let firstFrames = (0..<26).map { Array(generator.sequence(split: .training, index: $0, seed: 3).groups[0..<784]) }
        var loader = try BatchLoader(file: file, split: .training, seed: 42)
        XCTAssertEqual(loader.batchesPerEpoch(size: 8), 3)
        var epochs: [[Int]] = [[], []]
        for e in 0..<2 {
            for _ in 0..<3 {
                let batch = try loader.nextBatch(size: 8)
                XCTAssertEqual([batch.t, batch.b, batch.h, batch.w, batch.c], [3, 8, 28, 28, 1])
                epochs[e] += (0..<8).map { identify(batch, slot: $0, among: firstFrames)! }
            }
            XCTAssertEqual(loader.epoch, e, "a batch never straddles two epochs")
            XCTAssertEqual(Set(epochs[e]).count, 24, "no repeats within an epoch")
        }
        XCTAssertNotEqual(epochs[0], epochs[1], "each epoch reshuffles")
        XCTAssertNotEqual(epochs[0], Array(0..<24), "shuffled")
        // Reproducible for a seed.
        let a = try BatchLoader(file: file, split: .training, seed: 42).nextBatchCopy(size: 8)
        XCTAssertEqual(a, try BatchLoader(file: file, split: .training, seed: 42).nextBatchCopy(size: 8))
        XCTAssertNotEqual(a, try BatchLoader(file: file, split: .training, seed: 43).nextBatchCopy(size: 8))
    }

    func testUnshuffledOrderAndLimitForEvaluation() throws {
        let generator = try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: 2, objects: 2))
        let file = try DatasetFile(path: try makeFile(generator, sequences: 10))
        var loader = try BatchLoader(file: file, split: .training, seed: 0, shuffle: false, frames: 1, limit: 6)
        XCTAssertEqual(loader.sequences, 6)
        let batch = try loader.nextBatch(size: 6)
        XCTAssertEqual(batch.t, 1)
        XCTAssertEqual(batch, try file.split(.training).read(sequences: Array(0..<6), frames: 0..<1))
        XCTAssertTrue(loader.isBinary)
    }

    func testStaticFilesRepeatTheirImageOverTheRequestedFrames() throws {
        let file = try DatasetFile(path: try makeFile(try StaticShapes(), sequences: 5))
        var loader = try BatchLoader(file: file, split: .training, seed: 1, frames: 4)
        let batch = try loader.nextBatch(size: 2)
        XCTAssertEqual(batch.t, 4)
        let frame = 2 * batch.frameSize
        for t in 1..<4 { XCTAssertEqual(Array(batch.features[t * frame..<(t + 1) * frame]), Array(batch.features[0..<frame])) }
        // Sequences cannot grow frames they do not have.
        let flying = try DatasetFile(path: try makeFile(try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: 3, objects: 2)), sequences: 4))
        assertDatasetError(try BatchLoader(file: flying, split: .training, seed: 1, frames: 5), exitCode: 64, contains: ["3 frames", "5"])
    }

    func testGeneratedStreamMatchesTheFileForTheSameSeed() throws {
        let generator = try FlyingShapes(options: GeneratorOptions(height: 28, width: 28, frames: 4, objects: 3))
        let file = try DatasetFile(path: try makeFile(generator, sequences: 12, seed: 8))
        var stream = try GeneratedSource(generator: generator, split: .training, seed: 8)
        XCTAssertEqual(stream.frames, 4)
        XCTAssertTrue(stream.isBinary)
        let first = try stream.nextBatch(size: 5), second = try stream.nextBatch(size: 7)
        XCTAssertEqual(first, try file.split(.training).read(sequences: Array(0..<5)))
        XCTAssertEqual(second, try file.split(.training).read(sequences: Array(5..<12)))
        XCTAssertEqual(stream.nextIndex, 12)
    }

    func testBitflipFlipsAboutPOfBinaryPixelsWithFreshNoiseEachCall() {
        let clean = (0..<20_000).map { Float($0 % 3 == 0 ? 1 : 0) }
        var noise = NoiseSource(model: .reference(binary: true), seed: 1)
        XCTAssertEqual(noise.model, .bitflip(probability: 0.2))
        let a = noise.corrupt(clean), b = noise.corrupt(clean)
        for corrupted in [a, b] {
            XCTAssertTrue(corrupted.allSatisfy { $0 == 0 || $0 == 1 }, "stays binary")
            let flipped = zip(clean, corrupted).filter { $0 != $1 }.count
            XCTAssertEqual(Double(flipped) / Double(clean.count), 0.2, accuracy: 0.01)
        }
        XCTAssertNotEqual(a, b, "fresh noise on every call")
        var replay = NoiseSource(model: .bitflip(probability: 0.2), seed: 1)
        XCTAssertEqual(replay.corrupt(clean), a, "seeded")
    }

    func testMaskedUniformReplacesAboutPOfGreyPixelsByUniformValues() {
        let clean = [Float](repeating: 0.5, count: 20_000)
        var noise = NoiseSource(model: .reference(binary: false, probability: 0.3), seed: 2)
        let corrupted = noise.corrupt(clean)
        let replaced = corrupted.filter { $0 != 0.5 }
        XCTAssertEqual(Double(replaced.count) / Double(clean.count), 0.3, accuracy: 0.01)
        XCTAssertTrue(replaced.allSatisfy { (0..<1).contains($0) })
        XCTAssertEqual(Double(replaced.reduce(0, +)) / Double(replaced.count), 0.5, accuracy: 0.02, "uniform on [0, 1)")
        var rng = SeededRNG(seed: 0)
        XCTAssertEqual(NoiseModel.none.apply(to: clean, rng: &rng), clean)
    }
}

private extension BatchLoader {
    /// The first batch of a fresh copy (a `let` loader cannot be advanced).
    func nextBatchCopy(size: Int) throws -> Batch {
        var copy = self
        return try copy.nextBatch(size: size)
    }
}
