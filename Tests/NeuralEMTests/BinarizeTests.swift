import Autodiff
import Datasets
import Layers
import XCTest
@testable import NeuralEM

/// `model.binarize`: a Bernoulli model of grey data reads every frame as 0/1 at its own level, in evaluation
/// (and so in training, which builds its batches the same way) and in the tracker.
final class BinarizeTests: XCTestCase {
    private let level: Float = 0.3

    /// The same weights (same seed) with and without the binarize level. 6×6 frames, K 2, 3 EM steps.
    private func model(binarize: Float?) throws -> NEMModel {
        var rng = SeededRNG(seed: 5)
        let network = NetworkSpec(input: [], recurrent: [.rnn(8)], output: [.fc(36, act: .output)])
        return try NEMModel(config: ModelConfig(components: 2, steps: 3, likelihood: .bernoulli, binarize: binarize,
                                                frameShape: [6, 6, 1], network: network), rng: &rng)
    }

    /// Two grey sequences of 4 frames, values spread over [0, 1], groups 0…2. // (T 4, B 2, 6, 6, 1)
    private func greyBatch() -> Batch {
        var rng = SeededRNG(seed: 8)
        let count = 4 * 2 * 36
        let features = (0..<count).map { _ in Float(rng.nextDouble()) }
        let groups = (0..<count).map { Int32($0 % 3) }
        return Batch(features: features, groups: groups, t: 4, b: 2, h: 6, w: 6, c: 1)
    }

    private func evaluate(_ model: NEMModel, _ batch: Batch) throws -> EvaluationResult {
        try model.evaluate(batches: [batch], noise: .bitflip(probability: 0.1), loss: model.lossConfig, seed: 3)
    }

    func testABinarizingModelScoresGreyFramesAsTheirBinaryCopies() throws {
        let grey = greyBatch()
        var binary = grey
        binary.features = grey.features.map { $0 >= level ? 1 : 0 }
        let onGrey = try evaluate(model(binarize: level), grey)
        let onBinary = try evaluate(model(binarize: nil), binary)
        XCTAssertEqual(onGrey.amiPerStep, onBinary.amiPerStep)
        XCTAssertEqual(onGrey.loss, onBinary.loss)
        XCTAssertEqual(onGrey.bce, onBinary.bce)
        let unbinarized = try evaluate(model(binarize: nil), grey)
        XCTAssertNotEqual(unbinarized.loss, onGrey.loss, "without the level the grey values reach the model")
    }

    func testTheTrackerBinarizesGreyFramesAtTheModelsLevel() throws {
        let grey = Array(greyBatch().features[0..<36])
        let binary = grey.map { $0 >= level ? Float(1) : 0 }
        let onGrey = try Tracker(model: model(binarize: level), seed: 2).track(grey)
        let onBinary = try Tracker(model: model(binarize: nil), seed: 2).track(binary)
        XCTAssertEqual(onGrey.labels, onBinary.labels)
        XCTAssertEqual(onGrey.gamma, onBinary.gamma)
        XCTAssertEqual(onGrey.labels.filter { $0 != 0 }.count, binary.filter { $0 == 1 }.count,
                       "every pixel at or above the level is foreground")
    }

    func testALevelOutsideZeroToOneIsRefused() throws {
        XCTAssertThrowsError(try model(binarize: 0)) { error in
            XCTAssertTrue("\(error)".contains("model.binarize"), "\(error)")
        }
        XCTAssertThrowsError(try model(binarize: 1.5))
    }
}
