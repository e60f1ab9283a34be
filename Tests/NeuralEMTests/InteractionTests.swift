import Autodiff
import Foundation
import Layers
import NeuralEM
import XCTest

/// R-NEM's interaction: it starts inactive, acts only between different components, treats the
/// components alike, and learns once training moves its output weight.
final class InteractionTests: XCTestCase {
    private let frame = [28, 28, 1]
    private func spec(interaction: Int?) -> NetworkSpec {
        NetworkSpec(input: [.reshape([28, 28, 1]), .conv(4, act: .elu, ln: true), .flatten, .fc(16, act: .elu, ln: true)],
                    recurrent: [.rnn(12, ln: true)], output: [.fc(784, act: .output)], interaction: interaction)
    }

    private func network(interaction: Int?, seed: UInt64 = 5) throws -> RNNEMNetwork {
        var rng = SeededRNG(seed: seed)
        return try XCTUnwrap(spec(interaction: interaction).build(frameShape: frame, likelihood: .bernoulli, rng: &rng) as? RNNEMNetwork)
    }

    /// θ for B samples of K components, values in (0, 1) as the RNN's sigmoid state.
    private func theta(rows: Int, size: Int, seed: UInt64) -> Tensor {
        var rng = SeededRNG(seed: seed)
        return Tensor(randomUniform: [rows, size], in: 0.05...0.95, using: &rng)
    }

    private func randomiseCellWeight(_ interaction: Interaction) {
        var rng = SeededRNG(seed: 8)
        let values = Tensor(randomUniform: interaction.cellWeight.shape, in: -0.5...0.5, using: &rng).scalars
        interaction.cellWeight.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: values) }
    }

    func testANewInteractionLeavesTheNetworkAsItWas() throws {
        let plain = try network(interaction: nil), interacting = try network(interaction: 8)
        let deltas = theta(rows: 6, size: 784, seed: 1) - 0.5, state = theta(rows: 6, size: 12, seed: 2)
        let (a, thetaA) = plain(deltas, theta: state, components: 3)
        let (b, thetaB) = interacting(deltas, theta: state, components: 3)
        XCTAssertEqual(a.scalars, b.scalars)
        XCTAssertEqual(thetaA.scalars, thetaB.scalars)
        XCTAssertEqual(interacting.namedParameters.count, plain.namedParameters.count + 18)
    }

    func testAComponentAloneFeelsNothingAndOthersAreTreatedAlike() throws {
        var rng = SeededRNG(seed: 3)
        let interaction = Interaction(thetaSize: 12, units: 8, rng: &rng)
        randomiseCellWeight(interaction)
        let alone = interaction(theta: theta(rows: 2, size: 12, seed: 4), components: 1)
        XCTAssertEqual(alone.scalars, [Float](repeating: 0, count: 24), "no component acts on itself")

        // Two samples of three components; swapping components 0 and 2 swaps their effects.
        let state = theta(rows: 6, size: 12, seed: 5)
        let rows = (0..<6).map { Array(state.scalars[($0 * 12)..<($0 * 12 + 12)]) }
        let swapped = Tensor(shape: [6, 12], scalars: [2, 1, 0, 5, 4, 3].flatMap { rows[$0] })
        let effects = interaction(theta: state, components: 3), effectsSwapped = interaction(theta: swapped, components: 3)
        XCTAssertGreaterThan(effects.scalars.map(Swift.abs).max() ?? 0, 1e-3)
        for (row, from) in [2, 1, 0, 5, 4, 3].enumerated() {
            for j in 0..<12 {
                XCTAssertEqual(effectsSwapped.scalars[row * 12 + j], effects.scalars[from * 12 + j], accuracy: 1e-5)
            }
        }
        // A component's effect depends on the others' states: change sample 0's component 1 only.
        var changed = rows
        changed[1] = changed[1].map { 1 - $0 }
        let effectsChanged = interaction(theta: Tensor(shape: [6, 12], scalars: changed.flatMap { $0 }), components: 3)
        XCTAssertNotEqual(Array(effectsChanged.scalars[0..<12]), Array(effects.scalars[0..<12]), "component 0 feels component 1")
        XCTAssertEqual(Array(effectsChanged.scalars[36..<72]), Array(effects.scalars[36..<72]), "sample 1 is untouched")
    }

    func testTheEffectsAreAveragedSoTheirSizeDoesNotGrowWithK() {
        var rng = SeededRNG(seed: 3)
        let interaction = Interaction(thetaSize: 12, units: 8, rng: &rng)
        randomiseCellWeight(interaction)
        // Identical components: every pair has the same effect, so the mean over the others is that effect for any K.
        let one = Array(theta(rows: 1, size: 12, seed: 6).scalars)
        let three = interaction(theta: Tensor(shape: [3, 12], scalars: Array([[Float]](repeating: one, count: 3).joined())), components: 3)
        let five = interaction(theta: Tensor(shape: [5, 12], scalars: Array([[Float]](repeating: one, count: 5).joined())), components: 5)
        for j in 0..<12 { XCTAssertEqual(three.scalars[j], five.scalars[j], accuracy: 1e-5) }
    }

    func testEveryInteractionWeightLearnsOnceTheCellWeightMoves() throws {
        let net = try network(interaction: 8)
        let interaction = try XCTUnwrap(net.interaction)
        randomiseCellWeight(interaction)
        let deltas = theta(rows: 6, size: 784, seed: 1) - 0.5, state = theta(rows: 6, size: 12, seed: 2)
        let (predictions, _) = net(deltas, theta: state, components: 3)
        sum(predictions * predictions).backward()
        for (name, tensor) in interaction.namedParameters {
            let grad = try XCTUnwrap(tensor.grad, name)
            XCTAssertGreaterThan(grad.scalars.map(Swift.abs).max() ?? 0, 0, name)
        }
    }

    func testWarmStartAddsAnInteractionToAModelWithout() throws {
        var config = TrainingPreset.flyingShapes.config
        config.model.steps = 2
        config.model.network = spec(interaction: nil)
        config.training = ScheduleConfig(batchSize: 2, maxSteps: 1, validateEvery: 1, validationSequences: 2,
                                         patience: 10, checkpointMinutes: 60, seed: 4)
        let first = FileManager.default.temporaryDirectory.appendingPathComponent("nem-interaction-\(UUID().uuidString)")
        let second = first.appendingPathExtension("next")
        addTeardownBlock { for url in [first, second] { try? FileManager.default.removeItem(at: url) } }
        _ = try Trainer(config: config, directory: first, resume: false).run { _ in }
        let best = first.appendingPathComponent("best.safetensors")

        config.model.network = spec(interaction: 8)
        let warm = try Trainer(config: config, directory: second, resume: false, initialWeights: best)
        let (saved, _) = try NEMModel.load(from: best)
        let loaded = warm.model.network.parameterDictionary
        for (name, tensor) in saved.network.namedParameters {
            XCTAssertEqual(loaded[name]?.scalars, tensor.scalars, name)
        }
        XCTAssertEqual(loaded["interaction.cell.weight"]?.scalars.allSatisfy { $0 == 0 }, true)
        _ = try warm.run { _ in }
        let (trained, _) = try NEMModel.load(from: second.appendingPathComponent("best.safetensors"))
        XCTAssertEqual(trained.config.network.interaction, 8, "the model file describes its interaction")
    }
}
