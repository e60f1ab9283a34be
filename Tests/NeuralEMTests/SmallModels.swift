import Autodiff
import Layers
@testable import NeuralEM

/// A small convolutional RNN-EM model on 28×28 frames (K = 3, 4 EM steps, 2 warm-up steps), seeded, for the
/// restart tests.
func smallRestartingModel(restarts: Int?, restartScope: RestartScope? = nil) throws -> NEMModel {
    var rng = SeededRNG(seed: 11)
    let network = NetworkSpec(input: [.reshape([28, 28, 1]), .conv(8, act: .elu, ln: true), .flatten, .fc(32, act: .elu, ln: true)],
                              recurrent: [.rnn(16, ln: true)],
                              output: [.fc(7 * 7 * 4, act: .relu, ln: true), .reshape([7, 7, 4]),
                                       .resizeConv(4, act: .relu, ln: true), .resizeConv(1, act: .output), .flatten])
    return try NEMModel(config: ModelConfig(components: 3, steps: 4, likelihood: .bernoulli, warmupSteps: 2, restarts: restarts,
                                            restartScope: restartScope, frameShape: [28, 28, 1], network: network), rng: &rng)
}
