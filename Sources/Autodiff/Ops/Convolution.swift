import Foundation

// 2-D convolution on NHWC images with HWIO filters (the layout of TensorFlow and of the reference
// data): input (N, H, W, Cin), filter (kh, kw, Cin, Cout), output (N, Ho, Wo, Cout).
//
// Forward and backward run as im2col + gemm over chunks of images, so the column matrix stays a
// few MB and is rebuilt in the backward pass rather than kept alive in the graph.

/// Padding of a 2-D convolution.
public enum Padding: String, Sendable, Codable {
    /// TensorFlow's SAME: output extent ⌈in/stride⌉; pad_total = max((out − 1)·stride + k − in, 0),
    /// pad_top = ⌊pad_total/2⌋ and the rest at the bottom (so even kernels pad more at the end).
    case same
    /// No padding: output extent ⌊(in − k)/stride⌋ + 1.
    case valid
}

/// Output extent and leading padding along one axis.
func convExtent(input: Int, kernel: Int, stride: Int, padding: Padding) -> (out: Int, padBefore: Int) {
    switch padding {
    case .same:
        let out = (input + stride - 1) / stride
        let total = Swift.max((out - 1) * stride + kernel - input, 0)
        return (out, total / 2)
    case .valid:
        return (input >= kernel ? (input - kernel) / stride + 1 : 0, 0)
    }
}

/// Column-matrix elements per chunk of images (4 MB of Float): big enough for efficient gemm,
/// small enough to stay in cache between im2col and gemm.
let convChunkElements = 1 << 20

/// y = conv(x, w) + b on raw storage (y is overwritten).
func convolutionForward<T: TensorScalar>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, _ bias: UnsafePointer<T>?,
                           _ y: UnsafeMutablePointer<T>, _ g: ConvGeometry, outChannels: Int) {
    let k = T.kernels
    let rowsPerImage = g.outPixelsPerImage
    let imagesPerChunk = Swift.max(1, Swift.min(g.batch, convChunkElements / Swift.max(1, rowsPerImage * g.patchSize)))
    let cols = TensorStorage<T>(count: imagesPerChunk * rowsPerImage * g.patchSize)
    var first = 0
    while first < g.batch {
        let images = Swift.min(imagesPerChunk, g.batch - first)
        let rows = images * rowsPerImage
        let out = y + first * rowsPerImage * outChannels
        if let bias {
            let loop = StridedLoop(shape: [rows, outChannels], operandStrides: [[0, 1], [outChannels, 1]])
            k.copy(bias, out, loop)
        }
        k.im2col(x + first * g.height * g.width * g.inChannels, cols.base, g, images)
        k.gemm(false, false, rows, outChannels, g.patchSize, 1, cols.base, g.patchSize, w, outChannels,
               bias == nil ? 0 : 1, out, outChannels)
        first += images
    }
}

/// Gradients of a convolution from dy: dw (overwritten), dx (overwritten, when wanted), db (overwritten, when wanted).
func convolutionBackward<T: TensorScalar>(_ x: UnsafePointer<T>, _ w: UnsafePointer<T>, _ dy: UnsafePointer<T>,
                            dx: UnsafeMutablePointer<T>?, dw: UnsafeMutablePointer<T>?, db: UnsafeMutablePointer<T>?,
                            _ g: ConvGeometry, outChannels: Int) {
    let k = T.kernels
    let rowsPerImage = g.outPixelsPerImage
    let imagesPerChunk = Swift.max(1, Swift.min(g.batch, convChunkElements / Swift.max(1, rowsPerImage * g.patchSize)))
    let cols = TensorStorage<T>(count: imagesPerChunk * rowsPerImage * g.patchSize)
    if let dx { memset(dx, 0, g.batch * g.height * g.width * g.inChannels * MemoryLayout<T>.stride) }
    if let db {
        memset(db, 0, outChannels * MemoryLayout<T>.stride)
        let rows = g.batch * rowsPerImage
        k.accumulate(dy, db, StridedLoop(shape: [rows, outChannels], operandStrides: [[outChannels, 1], [0, 1]]))
    }
    var first = 0
    while first < g.batch {
        let images = Swift.min(imagesPerChunk, g.batch - first)
        let rows = images * rowsPerImage
        let dyChunk = dy + first * rowsPerImage * outChannels
        if let dw {
            k.im2col(x + first * g.height * g.width * g.inChannels, cols.base, g, images)
            // dw += colsᵀ · dy   (patch, rows)·(rows, cout)
            k.gemm(true, false, g.patchSize, outChannels, rows, 1, cols.base, g.patchSize, dyChunk, outChannels,
                   first == 0 ? 0 : 1, dw, outChannels)
        }
        if let dx {
            // dcols = dy · wᵀ   (rows, cout)·(cout, patch), then scattered back onto the image.
            k.gemm(false, true, rows, g.patchSize, outChannels, 1, dyChunk, outChannels, w, outChannels,
                   0, cols.base, g.patchSize)
            k.col2im(cols.base, dx + first * g.height * g.width * g.inChannels, g, images)
        }
        first += images
    }
}

/// Convolution of NHWC `input` (N, H, W, Cin) with an HWIO `filter` (kh, kw, Cin, Cout), plus an
/// optional `bias` (Cout). Output (N, Ho, Wo, Cout); SAME padding follows TensorFlow exactly.
public func conv2d<T>(_ input: TensorOf<T>, filter: TensorOf<T>, bias: TensorOf<T>? = nil,
                      strides: (Int, Int) = (1, 1), padding: Padding = .same) -> TensorOf<T> {
    precondition(input.rank == 4 && filter.rank == 4 && input.shape[3] == filter.shape[2],
                 "conv2d of input \(input.shape) with filter \(filter.shape): expected (N, H, W, Cin) and (kh, kw, Cin, Cout)")
    precondition(strides.0 >= 1 && strides.1 >= 1, "conv2d strides \(strides) must be positive")
    let cout = filter.shape[3]
    if let bias { precondition(bias.shape == [cout], "conv2d bias of shape \(bias.shape) for \(cout) output channels") }
    let (outH, padTop) = convExtent(input: input.shape[1], kernel: filter.shape[0], stride: strides.0, padding: padding)
    let (outW, padLeft) = convExtent(input: input.shape[2], kernel: filter.shape[1], stride: strides.1, padding: padding)
    let g = ConvGeometry(batch: input.shape[0], height: input.shape[1], width: input.shape[2], inChannels: input.shape[3],
                         kernelHeight: filter.shape[0], kernelWidth: filter.shape[1], strideY: strides.0, strideX: strides.1,
                         padTop: padTop, padLeft: padLeft, outHeight: outH, outWidth: outW)
    return convolution(input, filter, bias, geometry: g, op: "conv2d")
}

/// The recorded convolution for a resolved geometry (shared by conv2d and resizeConv2d's core).
func convolution<T>(_ input: TensorOf<T>, _ filter: TensorOf<T>, _ bias: TensorOf<T>?, geometry g: ConvGeometry, op: String) -> TensorOf<T> {
    let cout = filter.shape[3]
    let out = TensorOf<T>.uninitialized([g.batch, g.outHeight, g.outWidth, cout])
    if out.count > 0 {
        convolutionForward(input.storage.base, filter.storage.base, bias?.storage.base, out.storage.base, g, outChannels: cout)
    }
    let inputs = [input, filter] + (bias.map { [$0] } ?? [])
    guard recordsGradient(inputs) else { return out }
    return out.recorded(op, inputs) { dy, _ in
        let dx = input.requiresGrad ? TensorOf<T>.uninitialized(input.shape) : nil
        let dw = filter.requiresGrad ? TensorOf<T>.uninitialized(filter.shape) : nil
        let db = bias?.requiresGrad == true ? TensorOf<T>.uninitialized([cout]) : nil
        if dy.count > 0 {
            convolutionBackward(input.storage.base, filter.storage.base, dy.storage.base, dx: dx?.storage.base,
                                dw: dw?.storage.base, db: db?.storage.base, g, outChannels: cout)
        } else {
            for t in [dx, dw, db] { if let t { T.kernels.fill(t.storage.base, 0, t.count) } }
        }
        return bias == nil ? [dx, dw] : [dx, dw, db]
    }
}
