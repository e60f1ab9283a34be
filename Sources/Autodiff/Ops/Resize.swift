import Foundation

// Nearest-neighbour ×2 upsampling, and the reference's resize-conv (upsample ×2, then a stride-1
// SAME convolution) computed without materialising the upsampled image.

/// Reads an (N, H, W, C) tensor as the (N, H, 2, W, 2, C) view of its ×2 upsampling.
private func upsampleStrides(_ shape: [Int]) -> [Int] {
    let (h, w, c) = (shape[1], shape[2], shape[3])
    return [h * w * c, w * c, 0, c, 0, 1]
}

/// Nearest-neighbour resize ×2 of NHWC `x`: (N, H, W, C) → (N, 2H, 2W, C), out[2y+i, 2x+j] = x[y, x].
public func resize2x<T>(_ x: TensorOf<T>) -> TensorOf<T> {
    precondition(x.rank == 4, "resize2x of a tensor of shape \(x.shape): expected (N, H, W, C)")
    let (n, h, w, c) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
    let out = TensorOf<T>.uninitialized([n, 2 * h, 2 * w, c])
    let view = [n, h, 2, w, 2, c]
    if out.count > 0 {
        T.kernels.copy(x.storage.base, out.storage.base,
                       StridedLoop(shape: view, operandStrides: [upsampleStrides(x.shape), contiguousStrides(view)]))
    }
    guard recordsGradient(x) else { return out }
    return out.recorded("resize2x", [x]) { g, _ in
        // Each input pixel receives the sum of its 2×2 block.
        let dx = TensorOf<T>.zeros(x.shape)
        if dx.count > 0 {
            T.kernels.accumulate(g.storage.base, dx.storage.base,
                                 StridedLoop(shape: view, operandStrides: [contiguousStrides(view), upsampleStrides(x.shape)]))
        }
        return [dx]
    }
}

/// How a k-tap, stride-1 SAME convolution of a ×2-upsampled axis reads the original axis.
///
/// Output position 2m + p (p = 0, 1) applies tap i to upsampled position 2m + p − top + i, which
/// is original position m + ⌊(p − top + i)/2⌋. So each output parity p is a convolution of the
/// ORIGINAL axis with an effective kernel over offsets omin…omax, whose taps are sums of the
/// original taps: for k = 4, 16 taps of the upsampled image become 3×3 of the original, and the
/// four parities become 4·Cout output channels of one 3×3 convolution (36 instead of 64 taps,
/// and an im2col a quarter the size).
struct UpsampledAxis {
    let kernel: Int
    let minOffset: Int
    let effectiveKernel: Int

    init(kernel: Int) {
        self.kernel = kernel
        let top = (kernel - 1) / 2
        minOffset = UpsampledAxis.floorDiv2(-top)
        effectiveKernel = UpsampledAxis.floorDiv2(kernel - top) - minOffset + 1
    }

    /// Effective tap of original tap `i` for output parity `p`.
    func effectiveTap(parity p: Int, tap i: Int) -> Int {
        UpsampledAxis.floorDiv2(p - (kernel - 1) / 2 + i) - minOffset
    }

    private static func floorDiv2(_ v: Int) -> Int { v >= 0 ? v / 2 : -((-v + 1) / 2) }
}

/// The 4·Cout-channel filter (ke, ke, Cin, 4·Cout) equivalent to `filter` (k, k, Cin, Cout) on
/// upsampled input; channel block 2·py + px holds output parity (py, px).
private struct ResizeConvPlan {
    let rows, cols: UpsampledAxis
    let inChannels, outChannels: Int

    var effectiveShape: [Int] { [rows.effectiveKernel, cols.effectiveKernel, inChannels, 4 * outChannels] }

    /// Calls `body(effectiveOffset, originalOffset)` for each original tap and parity: the element
    /// offsets of the (Cin, Cout) blocks to be summed.
    func forEachTap(_ body: (Int, Int) -> Void) {
        for py in 0..<2 {
            for px in 0..<2 {
                for i in 0..<rows.kernel {
                    for j in 0..<cols.kernel {
                        let a = rows.effectiveTap(parity: py, tap: i), b = cols.effectiveTap(parity: px, tap: j)
                        let effective = (a * cols.effectiveKernel + b) * inChannels * 4 * outChannels + (2 * py + px) * outChannels
                        let original = (i * cols.kernel + j) * inChannels * outChannels
                        body(effective, original)
                    }
                }
            }
        }
    }

    func effectiveFilter<T>(_ filter: TensorOf<T>) -> TensorOf<T> {
        let out = TensorOf<T>.zeros(effectiveShape)
        let loop = StridedLoop(shape: [inChannels, outChannels], operandStrides: [[outChannels, 1], [4 * outChannels, 1]])
        forEachTap { e, o in T.kernels.accumulate(filter.storage.base + o, out.storage.base + e, loop) }
        return out
    }

    /// The adjoint of `effectiveFilter`: the original filter's gradient from the effective one's.
    func originalGradient<T>(_ effective: TensorOf<T>) -> TensorOf<T> {
        let out = TensorOf<T>.zeros([rows.kernel, cols.kernel, inChannels, outChannels])
        let loop = StridedLoop(shape: [inChannels, outChannels], operandStrides: [[4 * outChannels, 1], [outChannels, 1]])
        forEachTap { e, o in T.kernels.accumulate(effective.storage.base + e, out.storage.base + o, loop) }
        return out
    }
}

/// The (N, H, 2, W, 2, C) view of the (N, 2H, 2W, C) output against the (N, H, W, 4C) parity channels.
private func parityStrides(height h: Int, width w: Int, channels c: Int) -> [Int] {
    [h * w * 4 * c, w * 4 * c, 2 * c, 4 * c, c, 1]
}

/// The reference's `r_conv`: nearest-neighbour resize ×2 of NHWC `input` (N, H, W, Cin), then a
/// stride-1 SAME convolution with `filter` (kh, kw, Cin, Cout) and `bias` (Cout); output
/// (N, 2H, 2W, Cout). Equal to `conv2d(resize2x(input), filter:, bias:)` up to rounding, computed
/// as one smaller convolution of the original image (see ``UpsampledAxis``).
public func resizeConv2d<T>(_ input: TensorOf<T>, filter: TensorOf<T>, bias: TensorOf<T>? = nil) -> TensorOf<T> {
    precondition(input.rank == 4 && filter.rank == 4 && input.shape[3] == filter.shape[2],
                 "resizeConv2d of input \(input.shape) with filter \(filter.shape): expected (N, H, W, Cin) and (kh, kw, Cin, Cout)")
    let (n, h, w, cin, cout) = (input.shape[0], input.shape[1], input.shape[2], input.shape[3], filter.shape[3])
    if let bias { precondition(bias.shape == [cout], "resizeConv2d bias of shape \(bias.shape) for \(cout) output channels") }
    let plan = ResizeConvPlan(rows: UpsampledAxis(kernel: filter.shape[0]), cols: UpsampledAxis(kernel: filter.shape[1]),
                              inChannels: cin, outChannels: cout)
    let g = ConvGeometry(batch: n, height: h, width: w, inChannels: cin,
                         kernelHeight: plan.rows.effectiveKernel, kernelWidth: plan.cols.effectiveKernel,
                         strideY: 1, strideX: 1, padTop: -plan.rows.minOffset, padLeft: -plan.cols.minOffset,
                         outHeight: h, outWidth: w)
    let effective = plan.effectiveFilter(filter)
    var bias4: TensorOf<T>?
    if let bias { bias4 = broadcastTo(bias.reshapedValue([1, cout]), [4, cout]).reshapedValue([4 * cout]) }

    let parityShape = [n, h, w, 4 * cout]
    let out = TensorOf<T>.uninitialized([n, 2 * h, 2 * w, cout])
    let view = [n, h, 2, w, 2, cout]
    let parityLoop = StridedLoop(shape: view, operandStrides: [parityStrides(height: h, width: w, channels: cout), contiguousStrides(view)])
    if out.count > 0 {
        // The backward pass needs only the shape of this scratch, not its values.
        let parities = TensorOf<T>.uninitialized(parityShape)
        convolutionForward(input.storage.base, effective.storage.base, bias4?.storage.base, parities.storage.base, g, outChannels: 4 * cout)
        T.kernels.copy(parities.storage.base, out.storage.base, parityLoop)
    }
    let inputs = [input, filter] + (bias.map { [$0] } ?? [])
    guard recordsGradient(inputs) else { return out }
    return out.recorded("resizeConv2d", inputs) { dy, _ in
        let dx = input.requiresGrad ? TensorOf<T>.uninitialized(input.shape) : nil
        let dEffective = filter.requiresGrad ? TensorOf<T>.uninitialized(effective.shape) : nil
        let db4 = bias?.requiresGrad == true ? TensorOf<T>.uninitialized([4 * cout]) : nil
        if dy.count > 0 {
            let dParities = TensorOf<T>.uninitialized(parityShape)
            let gather = StridedLoop(shape: view, operandStrides: [contiguousStrides(view), parityStrides(height: h, width: w, channels: cout)])
            T.kernels.copy(dy.storage.base, dParities.storage.base, gather)
            convolutionBackward(input.storage.base, effective.storage.base, dParities.storage.base, dx: dx?.storage.base,
                                dw: dEffective?.storage.base, db: db4?.storage.base, g, outChannels: 4 * cout)
        } else {
            for t in [dx, dEffective, db4] { if let t { T.kernels.fill(t.storage.base, 0, t.count) } }
        }
        let dw = dEffective.map { plan.originalGradient($0) }
        guard bias != nil else { return [dx, dw] }
        return [dx, dw, db4.map { sumToShape($0.reshapedValue([4, cout]), [1, cout]).reshapedValue([cout]) }]
    }
}
