import Autodiff

/// A 2-D convolution on NHWC images with SAME padding (TensorFlow's):
/// (B, H, W, Cin) → (B, ⌈H/sy⌉, ⌈W/sx⌉, Cout). Filter (kh, kw, Cin, Cout), bias (Cout).
public struct Conv2D: Layer {
    public let filter: Tensor
    public let bias: Tensor?
    public let strides: (Int, Int)

    /// Xavier-uniform filter (fan-in kh·kw·Cin, fan-out kh·kw·Cout) and zero bias, as `slim.conv2d`.
    public init(inChannels: Int, outChannels: Int, kernel: (Int, Int) = (4, 4), strides: (Int, Int) = (2, 2),
                bias: Bool = true, rng: inout SeededRNG) {
        let taps = kernel.0 * kernel.1
        filter = parameter(xavierUniform([kernel.0, kernel.1, inChannels, outChannels],
                                         fanIn: taps * inChannels, fanOut: taps * outChannels, rng: &rng))
        self.bias = bias ? parameter(.zeros([outChannels])) : nil
        self.strides = strides
    }

    public func callAsFunction(_ x: Tensor) -> Tensor {
        conv2d(x, filter: filter, bias: bias, strides: strides, padding: .same)
    }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", filter)] + (bias.map { [("bias", $0)] } ?? [])
    }
}

/// The reference's `r_conv`: nearest-neighbour resize ×2, then a stride-1 SAME convolution:
/// (B, H, W, Cin) → (B, 2H, 2W, Cout). Computed without materialising the resized image.
public struct ResizeConv2D: Layer {
    public let filter: Tensor
    public let bias: Tensor?

    public init(inChannels: Int, outChannels: Int, kernel: (Int, Int) = (4, 4), bias: Bool = true, rng: inout SeededRNG) {
        let taps = kernel.0 * kernel.1
        filter = parameter(xavierUniform([kernel.0, kernel.1, inChannels, outChannels],
                                         fanIn: taps * inChannels, fanOut: taps * outChannels, rng: &rng))
        self.bias = bias ? parameter(.zeros([outChannels])) : nil
    }

    public func callAsFunction(_ x: Tensor) -> Tensor { resizeConv2d(x, filter: filter, bias: bias) }

    public var namedParameters: [(name: String, tensor: Tensor)] {
        [("weight", filter)] + (bias.map { [("bias", $0)] } ?? [])
    }
}
