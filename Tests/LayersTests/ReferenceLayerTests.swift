import Autodiff
import Layers
import XCTest

/// Layers against PyTorch (float64) reference values: forward outputs and the gradients of
/// L = Σ output ⊙ r for inputs and parameters, in Float, to 1e-5 relative.
final class ReferenceLayerTests: XCTestCase {
    var fixtures: ReferenceFixtures!

    override func setUpWithError() throws { fixtures = try ReferenceFixtures() }

    func testConv2DSamePaddingStrides1And2() throws {
        for name in ["conv_same_stride1", "conv_same_stride2"] {
            let f = try fixtures.tensorCase(name)
            let stride = try XCTUnwrap(fixtures.field(name, "stride") as? Int)
            var rng = SeededRNG(seed: 1)
            let layer = Conv2D(inChannels: 3, outChannels: 5, kernel: (4, 4), strides: (stride, stride), rng: &rng)
            assign(layer.filter, f["w"])
            assign(layer.bias!, f["b"])
            let x = input(f["x"])
            let y = layer(x)
            assertMatches(y, f["output"], "\(name) output")
            sum(y * f["r"]!).backward()
            assertMatches(x.grad, f["d_x"], "\(name) d_x")
            assertMatches(layer.filter.grad, f["d_w"], "\(name) d_w")
            assertMatches(layer.bias!.grad, f["d_b"], "\(name) d_b")
        }
    }

    func testResizeConv() throws {
        let f = try fixtures.tensorCase("resize_conv")
        var rng = SeededRNG(seed: 2)
        let layer = ResizeConv2D(inChannels: 4, outChannels: 3, kernel: (4, 4), rng: &rng)
        assign(layer.filter, f["w"])
        assign(layer.bias!, f["b"])
        let x = input(f["x"])
        let y = layer(x)
        assertMatches(y, f["output"], "resize-conv output")
        sum(y * f["r"]!).backward()
        assertMatches(x.grad, f["d_x"], "resize-conv d_x")
        assertMatches(layer.filter.grad, f["d_w"], "resize-conv d_w")
        assertMatches(layer.bias!.grad, f["d_b"], "resize-conv d_b")
    }

    func testLayerNorm() throws {
        let f = try fixtures.tensorCase("layer_norm")
        let layer = LayerNorm(channels: 6)
        assign(layer.gain, f["gain"])
        assign(layer.bias, f["bias"])
        let x = input(f["x"])
        let y = layer(x)
        assertMatches(y, f["output"], "layer norm output")
        sum(y * f["r"]!).backward()
        assertMatches(x.grad, f["d_x"], "layer norm d_x")
        assertMatches(layer.gain.grad, f["d_gain"], "layer norm d_gain")
        assertMatches(layer.bias.grad, f["d_bias"], "layer norm d_bias")
    }

    func testRNNCellWithLayerNorm() throws {
        let f = try fixtures.tensorCase("rnn_cell_ln")
        var rng = SeededRNG(seed: 3)
        let cell = RNNCell(inputSize: 7, hiddenSize: 5, layerNorm: true, rng: &rng)
        assign(cell.weight, f["w"])
        assign(cell.bias, f["b"])
        assign(cell.norm!.gain, f["gain"])
        assign(cell.norm!.bias, f["bias"])
        let x = input(f["x"]), h = input(f["h"])
        let (output, state) = cell(x, state: h)
        assertMatches(output, f["output0"], "rnn output")
        assertMatches(state, f["output1"], "rnn state")
        (sum(output * f["r0"]!) + sum(state * f["r1"]!)).backward()
        assertMatches(x.grad, f["d_x"], "rnn d_x")
        assertMatches(h.grad, f["d_h"], "rnn d_h")
        assertMatches(cell.weight.grad, f["d_w"], "rnn d_w")
        assertMatches(cell.bias.grad, f["d_b"], "rnn d_b")
        assertMatches(cell.norm!.gain.grad, f["d_gain"], "rnn d_gain")
        assertMatches(cell.norm!.bias.grad, f["d_bias"], "rnn d_bias")
    }

    func testThreeAdamStepsInTensorFlowForm() throws {
        for prefix in ["", "tiny_"] {
            let theta = try ReferenceFixtures.tensor(XCTUnwrap(fixtures.field("adam_tf", prefix + "theta") as? [String: Any])).copy()
            theta.requiresGrad = true
            let grads = try XCTUnwrap(fixtures.field("adam_tf", prefix + "grads") as? [[String: Any]]).map(ReferenceFixtures.tensor)
            let steps = try XCTUnwrap(fixtures.field("adam_tf", prefix + "steps") as? [[String: Any]]).map(ReferenceFixtures.tensor)
            let adam = Adam(parameters: [theta])
            for (t, (grad, expected)) in zip(grads, steps).enumerated() {
                theta.grad = grad
                adam.step()
                adam.zeroGradients()
                // The update is ~1e-3 of θ: compare the change, so the tolerance bites on it.
                assertMatches(theta, expected, "\(prefix)adam step \(t + 1)", tolerance: 1e-6)
            }
            XCTAssertEqual(adam.timestep, 3)
        }
    }

    func testTinyGradientAdamStepDependsOnEpsilonPlacement() throws {
        // With |g| ~ 1e-7, TF's ε (on √v) and PyTorch's (on √v̂) differ by far more than the tolerance:
        // this guards that the fixture above really distinguishes the two forms.
        let theta = try ReferenceFixtures.tensor(XCTUnwrap(fixtures.field("adam_tf", "tiny_theta") as? [String: Any]))
        let step1 = try ReferenceFixtures.tensor(XCTUnwrap((fixtures.field("adam_tf", "tiny_steps") as? [[String: Any]])?.first))
        let grad = try ReferenceFixtures.tensor(XCTUnwrap((fixtures.field("adam_tf", "tiny_grads") as? [[String: Any]])?.first))
        // PyTorch's first step: θ − lr·g/(|g| + ε).
        let torchStep = zip(theta.scalars, grad.scalars).map { $0 - 1e-3 * $1 / (Swift.abs($1) + 1e-8) }
        let tfChange = zip(step1.scalars, theta.scalars).map { $0 - $1 }
        let torchChange = zip(torchStep, theta.scalars).map { $0 - $1 }
        let gap = zip(tfChange, torchChange).map { Swift.abs($0 - $1) }.max()!
        XCTAssertGreaterThan(gap, 1e-4)
    }
}
