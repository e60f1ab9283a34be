import Autodiff
import Foundation
import Layers
import XCTest

final class NetworkTests: XCTestCase {
    func flyingShapes(seed: UInt64) throws -> (encoder: Network, cell: RNNCell, decoder: Network) {
        var rng = SeededRNG(seed: seed)
        let spec = ReferenceNetworks.flyingShapes
        let encoder = try Network(spec: spec.encoder, inputShape: [784], prefix: "encoder", rng: &rng)
        let cell = RNNCell(inputSize: 512, hiddenSize: 100, layerNorm: true, rng: &rng)
        let decoder = try Network(spec: spec.decoder, inputShape: [100], prefix: "decoder", rng: &rng)
        return (encoder, cell, decoder)
    }

    func testFlyingShapesNetworkShapesAndParameterCount() throws {
        let (encoder, cell, decoder) = try flyingShapes(seed: 1)
        XCTAssertEqual(encoder.outputShape, [512])
        XCTAssertEqual(decoder.outputShape, [784])
        // The reference table's ≈ 3.4M parameters.
        XCTAssertEqual(encoder.parameterCount + cell.parameterCount + decoder.parameterCount, 3_403_389)
        XCTAssertEqual(Array(encoder.namedParameters.map(\.name).prefix(4)),
                       ["encoder.1.weight", "encoder.1.bias", "encoder.1.ln.gain", "encoder.1.ln.bias"])
        let x = Tensor(filling: 0.5, shape: [3, 784])
        let h = encoder(x)
        XCTAssertEqual(h.shape, [3, 512])
        let (output, state) = cell(h, state: cell.zeroState(batchSize: 3))
        XCTAssertEqual(state.shape, [3, 100])
        let predictions = decoder(output)
        XCTAssertEqual(predictions.shape, [3, 784])
        XCTAssertTrue(predictions.scalars.allSatisfy { $0 > 0 && $0 < 1 }, "sigmoid output for '*'")
    }

    func testLinearInitialisation() {
        var rng = SeededRNG(seed: 2)
        let layer = Linear(inputSize: 784, outputSize: 250, rng: &rng)
        let limit = Float((6.0 / 1034).squareRoot())
        XCTAssertTrue(layer.weight.scalars.allSatisfy { Swift.abs($0) <= limit })
        XCTAssertGreaterThan(layer.weight.scalars.map(Swift.abs).max()!, 0.95 * limit)
        XCTAssertEqual(layer.bias?.scalars, Array(repeating: 0, count: 250))
    }

    func testRNNCellWithoutLayerNormOutputsItsState() {
        var rng = SeededRNG(seed: 3)
        let cell = RNNCell(inputSize: 3, hiddenSize: 2, layerNorm: false, rng: &rng)
        let (output, state) = cell(Tensor(randomNormal: [4, 3], using: &rng), state: cell.zeroState(batchSize: 4))
        XCTAssertEqual(output.scalars, state.scalars)
        XCTAssertEqual(cell.namedParameters.map(\.name), ["weight", "bias"])
    }

    func testSpecJSONRoundTripInTheReferenceVocabulary() throws {
        let json = """
        [{"name": "input_norm"}, {"name": "reshape", "shape": [28, 28, 1]},
         {"name": "conv", "size": 32, "act": "elu", "stride": [2, 2], "kernel": [4, 4], "ln": true},
         {"name": "reshape", "shape": -1}, {"name": "fc", "size": 512, "act": "elu", "ln": true},
         {"name": "r_conv", "size": 1, "act": "*", "stride": [2, 2], "kernel": [4, 4], "ln": false}]
        """
        let specs = try LayerSpec.decode(json: json)
        XCTAssertEqual(specs[0], .inputNorm)
        XCTAssertEqual(specs[1], .reshape([28, 28, 1]))
        XCTAssertEqual(specs[2], .conv(32, act: .elu, ln: true))
        XCTAssertEqual(specs[3], .flatten)
        XCTAssertEqual(specs[5].act, .output)
        XCTAssertEqual(try LayerSpec.decode(json: LayerSpec.json(specs)), specs)
        XCTAssertFalse(LayerSpec.json([.flatten]).contains("size"), "absent fields stay absent")
    }

    func testBadSpecsThrowNamingTheLayer() throws {
        var rng = SeededRNG(seed: 4)
        let cases: [([LayerSpec], [Int], String)] = [
            ([LayerSpec(name: "dense", size: 3, act: .relu)], [4], "layer 0 (dense): unknown layer name"),
            ([LayerSpec(name: "fc", act: .relu)], [4], "layer 0 (fc): needs 'size'"),
            ([LayerSpec(name: "fc", size: 3)], [4], "layer 0 (fc): needs 'act'"),
            ([.reshape([2, 2, 1]), .fc(3, act: .relu)], [4], "layer 1 (fc): needs a flat input"),
            ([.conv(3, act: .relu)], [16], "layer 0 (conv): needs an (H, W, C) input"),
            ([.reshape([3, 3])], [4], "layer 0 (reshape): cannot reshape [4]"),
            ([.reshape([2, 2, 1]), .resizeConv(2, act: .relu, stride: [3, 3])], [4], "r_conv supports resizing by stride [2, 2] only"),
            ([.rnn(10)], [4], "layer 0 (rnn)"),
        ]
        for (specs, shape, message) in cases {
            XCTAssertThrowsError(try Network(spec: specs, inputShape: shape, rng: &rng)) { error in
                XCTAssertTrue("\(error)".contains(message), "\(error) should contain \(message)")
                XCTAssertEqual((error as? NetworkSpecError)?.exitCode, 78)
            }
        }
        XCTAssertThrowsError(try LayerSpec.decode(json: #"[{"name": "fc", "size": 3, "act": "swish"}]"#)) { error in
            XCTAssertTrue("\(error)".contains("unknown activation 'swish'"), "\(error)")
        }
        XCTAssertThrowsError(try LayerSpec.decode(json: #"[{"name": "reshape", "shape": 5}]"#))
        XCTAssertThrowsError(try LayerSpec.decode(json: #"{"name": "fc"}"#))
    }

    func testCheckpointRoundTripAndMismatchNamesTheTensor() throws {
        let a = try flyingShapes(seed: 5), b = try flyingShapes(seed: 6)
        var rng = SeededRNG(seed: 7)
        let x = Tensor(randomUniform: [2, 784], in: 0...1, using: &rng)
        XCTAssertNotEqual(a.encoder(x).scalars, b.encoder(x).scalars)

        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("nem-ckpt-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let url = folder.appendingPathComponent("model.safetensors")
        let tensors = a.encoder.parameterDictionary.merging(a.decoder.parameterDictionary) { x, _ in x }
        try SafeTensors(tensors: tensors, metadata: ["encoder": LayerSpec.json(a.encoder.specs)]).write(to: url)

        let file = try SafeTensors(contentsOf: url)
        try b.encoder.loadParameters(from: file.tensors, source: url.path)
        XCTAssertEqual(a.encoder(x).scalars, b.encoder(x).scalars)
        XCTAssertEqual(try LayerSpec.decode(json: XCTUnwrap(file.metadata["encoder"])), a.encoder.specs)

        // A network of another width: the first mismatching tensor is named, and nothing changes.
        var other = SeededRNG(seed: 8)
        let wider = try Network(spec: [.reshape([28, 28, 1]), .conv(16, act: .elu, ln: true)], inputShape: [784],
                                prefix: "encoder", rng: &other)
        let before = wider.parameters.map(\.scalars)
        XCTAssertThrowsError(try wider.loadParameters(from: file.tensors, source: url.path)) { error in
            XCTAssertEqual("\(error)", "\(url.path): checkpoint does not match: tensor 'encoder.1.weight' has shape [4, 4, 1, 32], expected [4, 4, 1, 16]")
            XCTAssertEqual((error as? CheckpointError)?.exitCode, 65)
        }
        XCTAssertEqual(wider.parameters.map(\.scalars), before)
        XCTAssertThrowsError(try a.cell.loadParameters(from: file.tensors, source: url.path)) { error in
            XCTAssertTrue("\(error)".contains("no tensor 'weight'"), "\(error)")
        }
    }

    func testAdamStateRoundTrip() throws {
        var rng = SeededRNG(seed: 9)
        let net = try Network(spec: [.fc(4, act: .tanh, ln: true), .fc(1, act: .linear)], inputShape: [3], rng: &rng)
        let adam = Adam(namedParameters: net.namedParameters)
        let x = Tensor(randomNormal: [8, 3], using: &rng), target = Tensor(randomNormal: [8, 1], using: &rng)
        var losses: [Float] = []
        for _ in 0..<60 {
            let loss = mean(square(net(x) - target))
            losses.append(loss.scalar)
            loss.backward()
            adam.step()
            adam.zeroGradients()
        }
        XCTAssertLessThan(losses.last!, 0.8 * losses.first!, "training lowers the loss")

        var rng2 = SeededRNG(seed: 10)
        let copy = try Network(spec: net.specs, inputShape: [3], rng: &rng2)
        try copy.loadParameters(from: net.parameterDictionary, source: "memory")
        let resumed = Adam(namedParameters: copy.namedParameters)
        try resumed.loadState(adam.stateTensors, timestep: adam.timestep, source: "memory")
        XCTAssertEqual(resumed.timestep, 60)
        for (trainer, parameters) in [(adam, net), (resumed, copy)] {
            mean(square(parameters(x) - target)).backward()
            trainer.step()
            trainer.zeroGradients()
        }
        XCTAssertEqual(net.parameters.map(\.scalars), copy.parameters.map(\.scalars), "a resumed optimizer takes the same step")
        XCTAssertThrowsError(try resumed.loadState([:], timestep: 1, source: "ckpt.safetensors")) { error in
            XCTAssertTrue("\(error)".contains("no tensor 'adam.m.0.weight'"), "\(error)")
        }
    }

    func testWeightDecayShrinksMatricesOnlyAndIsDecoupled() {
        let matrix = Tensor(shape: [2, 2], scalars: [1, -2, 3, 4]), bias = Tensor(shape: [2], scalars: [1, -2])
        for p in [matrix, bias] {
            p.requiresGrad = true
            p.grad = .zeros(p.shape)  // a zero gradient: Adam's own step is 0, only the decay moves θ
        }
        let adam = Adam(parameters: [matrix, bias], learningRate: 0.1, weightDecay: 0.5)
        adam.step()
        for (got, want) in zip(matrix.scalars, [0.95, -1.9, 2.85, 3.8] as [Float]) {
            XCTAssertEqual(got, want, accuracy: 1e-6, "θ ← θ·(1 − lr·λ) on a matrix")
        }
        XCTAssertEqual(bias.scalars, [1, -2], "biases are not decayed")
    }

    func testEachParameterLearnsAtItsOwnMultipleOfTheLearningRate() {
        let slow = Tensor(shape: [2], scalars: [1, 1]), fast = Tensor(shape: [2], scalars: [1, 1])
        for p in [slow, fast] {
            p.requiresGrad = true
            p.grad = Tensor(shape: [2], scalars: [1, -1])
        }
        // Adam's first step moves each value by ≈ lr·sign(g): 0.01 for the first, 10 × 0.01 for the second.
        let adam = Adam(parameters: [slow, fast], learningRate: 0.01, learningRateScales: [1, 10])
        adam.step()
        for (got, want) in zip(slow.scalars + fast.scalars, [0.99, 1.01, 0.9, 1.1] as [Float]) {
            XCTAssertEqual(got, want, accuracy: 1e-5)
        }
    }
}
