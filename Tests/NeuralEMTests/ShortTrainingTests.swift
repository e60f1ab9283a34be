import Autodiff
import Datasets
import Foundation
import Layers
import NeuralEM
import XCTest

/// A short seeded training run on easy data: the loss falls and the grouping becomes better than chance.
final class ShortTrainingTests: XCTestCase {
    /// Two 3×3 squares at random, non-overlapping places on a 10×10 canvas, groups 1 and 2.
    struct TwoSquares: SequenceSource {
        var rng: SeededRNG
        let frameShape = (height: 10, width: 10, channels: 1)
        let frames = 1
        let isBinary = true

        mutating func nextBatch(size: Int) throws -> Batch {
            var features = [Float](repeating: 0, count: size * 100)
            var groups = [Int32](repeating: 0, count: size * 100)
            for b in 0..<size {
                var placed: [(Int, Int)] = []
                while placed.count < 2 {
                    let (y, x) = (rng.nextInt(below: 8), rng.nextInt(below: 8))
                    if placed.allSatisfy({ Swift.abs($0.0 - y) > 3 || Swift.abs($0.1 - x) > 3 }) { placed.append((y, x)) }
                }
                for (id, (y, x)) in placed.enumerated() {
                    for dy in 0..<3 { for dx in 0..<3 {
                        features[b * 100 + (y + dy) * 10 + x + dx] = 1
                        groups[b * 100 + (y + dy) * 10 + x + dx] = Int32(id + 1)
                    } }
                }
            }
            return Batch(features: features, groups: groups, t: 1, b: size, h: 10, w: 10, c: 1)
        }
    }

    func testShortRunLowersLossAndRaisesAMIAboveChance() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("nem-short-\(ProcessInfo.processInfo.processIdentifier)")
        defer { try? FileManager.default.removeItem(at: directory) }
        var config = TrainingPreset.staticShapesRNNEM.config
        config.model = ModelConfig(components: 2, steps: 5, likelihood: .bernoulli, frameShape: [10, 10, 1],
                                   network: NetworkSpec(input: [], recurrent: [.rnn(64)], output: [.fc(100, act: .output)]))
        config.loss.stepWeights = .all
        config.noise = NoiseConfig(type: .bitflip, probability: 0.05)
        config.optimizer.learningRate = 3e-3
        config.training = ScheduleConfig(batchSize: 32, maxSteps: 400, validateEvery: 400, validationSequences: 128,
                                         patience: 5, checkpointMinutes: 60, seed: 5)
        var validationSource = TwoSquares(rng: SeededRNG(seed: 99))
        let validation = try (0..<4).map { _ in try validationSource.nextBatch(size: 32) }
        let trainer = try Trainer(config: config, directory: directory, resume: false,
                                  source: (TwoSquares(rng: SeededRNG(seed: 7)), validation))
        let before = try trainer.validate()
        var losses: [Float] = []
        let summary = try trainer.run { if case let .step(_, loss, _, _) = $0 { losses.append(loss) } }
        let after = try XCTUnwrap(summary.best)
        print("short run: loss \(before.loss) → \(after.loss), AMI mean \(before.amiMean) → \(after.amiMean), last \(before.amiLast) → \(after.amiLast), \(summary.wallSeconds) s")
        XCTAssertLessThan(after.loss, 0.8 * before.loss)
        XCTAssertLessThan(losses.suffix(20).reduce(0, +), losses.prefix(20).reduce(0, +))
        XCTAssertGreaterThan(after.amiMean, 0.5)
    }

    func testEvaluationScoresTheStartAndEachSequence() throws {
        var rng = SeededRNG(seed: 3)
        let model = try NEMModel(config: ModelConfig(components: 2, steps: 3, likelihood: .bernoulli, frameShape: [10, 10, 1],
                                                     network: NetworkSpec(input: [], recurrent: [.rnn(16)], output: [.fc(100, act: .output)])),
                                 rng: &rng)
        var source = TwoSquares(rng: SeededRNG(seed: 8))
        let batches = try (0..<2).map { _ in try source.nextBatch(size: 16) }
        let loss = LossConfig(gradientGamma: false, stepWeights: .all)
        let kmeans = try model.evaluate(batches: batches, initialGamma: .kmeans, noise: .none, loss: loss, seed: 1)
        let random = try model.evaluate(batches: batches, initialGamma: .random, noise: .none, loss: loss, seed: 1)
        // Two separate squares: the k-means start alone groups them; a random start groups nothing.
        XCTAssertGreaterThan(kmeans.amiInitial, 0.95)
        XCTAssertLessThan(random.amiInitial, 0.2)
        XCTAssertEqual(kmeans.perSequence.count, 32)
        XCTAssertEqual(kmeans.perSequence.map(\.last).reduce(0, +) / 32, kmeans.amiLast, accuracy: 1e-9)
        XCTAssertEqual(kmeans.perSequence.map(\.mean).reduce(0, +) / 32, kmeans.amiMean, accuracy: 1e-9)
        for step in 0..<3 {
            XCTAssertEqual(kmeans.perSequence.map { $0.amiPerStep[step] }.reduce(0, +) / 32, kmeans.amiPerStep[step], accuracy: 1e-9)
        }
        // Warm-up steps change what the scored steps start from.
        let warmed = try model.evaluate(batches: batches, initialGamma: .kmeans, warmupSteps: 2, noise: .none, loss: loss, seed: 1)
        XCTAssertNotEqual(warmed.amiPerStep, kmeans.amiPerStep)
        XCTAssertThrowsError(try model.evaluate(batches: batches, warmupSteps: -1, noise: .none, loss: loss, seed: 1))
    }
}
