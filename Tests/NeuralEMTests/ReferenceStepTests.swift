import Autodiff
import Foundation
import Layers
import XCTest
import NeuralEM

/// One training step's losses, γ and parameter gradients against an independent PyTorch computation
/// (scripts/fixtures/nem_reference.py, float64), for RNN-EM with gradients through γ and N-EM without.
final class ReferenceStepTests: XCTestCase {
    struct Fixture: Decodable { let cases: [Case] }
    struct Case: Decodable {
        struct Parameter: Decodable { let shape: [Int]; let values: [Float] }
        let name: String
        let batch, components, height, width, steps: Int
        let gradient_gamma: Bool
        let step_weights: [Float]
        let inter_weight: Float
        let frames, noisy, initial_gamma, final_gamma: [Float]
        let parameters: [String: Parameter]
        let step_losses: [[Double]]
        let total_loss: Double
        let gradients: [String: [Float]]
    }

    private func loadCases() throws -> [Case] {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "nem_step_reference", withExtension: "json", subdirectory: "Fixtures"))
        return try JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url)).cases
    }

    func testRNNEMStepMatchesPyTorch() throws {
        let spec = NetworkSpec(input: [], recurrent: [.rnn(5, ln: true)],
                               output: [.fc(8, act: .relu, ln: true), .fc(16, act: .output)])
        try check(try loadCases()[0], spec: spec)
    }

    func testNEMStepMatchesPyTorch() throws {
        let spec = NetworkSpec(input: [], recurrent: [.rnn(4)], output: [], nemFormulation: true)
        try check(try loadCases()[1], spec: spec)
    }

    private func check(_ c: Case, spec: NetworkSpec) throws {
        let frameShape = [c.height, c.width, 1]
        var rng = SeededRNG(seed: 0)
        let model = try NEMModel(config: ModelConfig(components: c.components, steps: c.steps, likelihood: .bernoulli,
                                                     frameShape: frameShape, network: spec), rng: &rng)
        let tensors = c.parameters.mapValues { Tensor(shape: $0.shape, scalars: $0.values) }
        try model.network.loadParameters(from: tensors, source: "fixture")
        XCTAssertEqual(Set(model.network.namedParameters.map(\.name)), Set(c.parameters.keys), c.name)

        let frameSize = c.batch * c.height * c.width
        func frames(_ values: [Float]) -> [Tensor] {
            (0...c.steps).map { Tensor(shape: [c.batch, 1] + frameShape, scalars: Array(values[$0 * frameSize..<($0 + 1) * frameSize])) }
        }
        let cell = model.cell(gradientGamma: c.gradient_gamma)
        let initial = EMState(theta: model.network.initialTheta(rows: c.batch * c.components),
                              predictions: .zeros([c.batch, c.components] + frameShape),
                              gamma: Tensor(shape: [c.batch, c.components] + frameShape, scalars: c.initial_gamma))
        let rollout = cell.unroll(inputs: frames(c.noisy), targets: frames(c.frames), components: c.components,
                                  stepWeights: c.step_weights,
                                  loss: LossSettings(interWeight: c.inter_weight, gradientGamma: c.gradient_gamma),
                                  rng: &rng, initialState: initial)
        for (got, expected) in zip(rollout.stepLosses, c.step_losses) {
            XCTAssertEqual(Double(got.total), expected[0], accuracy: 1e-5 * abs(expected[0]), "\(c.name): step loss")
            XCTAssertEqual(Double(got.intra), expected[1], accuracy: 1e-5 * abs(expected[1]), "\(c.name): intra")
            XCTAssertEqual(Double(got.inter), expected[2], accuracy: 1e-5 * abs(expected[2]), "\(c.name): inter")
        }
        XCTAssertEqual(Double(rollout.loss.scalar), c.total_loss, accuracy: 1e-5 * abs(c.total_loss), c.name)
        assertClose(rollout.finalState.gamma.scalars, c.final_gamma, tolerance: 1e-5, "\(c.name): final γ")

        rollout.loss.backward()
        for (name, parameter) in model.network.namedParameters {
            let grad = try XCTUnwrap(parameter.grad, "\(c.name): no gradient for \(name)")
            assertClose(grad.scalars, try XCTUnwrap(c.gradients[name]), tolerance: 1e-4, "\(c.name): ∂L/∂\(name)")
        }
    }

    /// Elementwise agreement relative to the largest magnitude of the expected values.
    private func assertClose(_ got: [Float], _ expected: [Float], tolerance: Float, _ message: String) {
        XCTAssertEqual(got.count, expected.count, message)
        let scale = max(expected.map(Swift.abs).max() ?? 0, 1e-12)
        let worst = zip(got, expected).map { Swift.abs($0 - $1) / scale }.max() ?? 0
        XCTAssertLessThan(worst, tolerance, message)
    }
}
