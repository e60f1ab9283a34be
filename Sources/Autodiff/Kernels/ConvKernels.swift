// im2col and its adjoint col2im for NHWC images and HWIO filters. Row r of the column matrix is
// output pixel r (image-major), column (i·kw + j)·cin + c is tap (i, j) of input channel c, so the
// convolution is cols (rows, kh·kw·cin) × filter (kh·kw·cin, cout). For a fixed tap row i the kw
// taps read kw·cin contiguous input values, so both kernels move whole runs, not single values.

/// The valid tap range [lo, hi) of a kernel row of `kernel` taps starting at `origin`, inside [0, size).
@inline(__always)
private func validTaps(origin: Int, kernel: Int, size: Int) -> (lo: Int, hi: Int) {
    (Swift.max(0, -origin), Swift.min(kernel, size - origin))
}

/// Images per thread below which im2col and col2im stay on one thread.
private func imageGrain(_ g: ConvGeometry) -> Int {
    Swift.max(1, elementwiseGrain / Swift.max(1, g.outPixelsPerImage * g.patchSize))
}

func im2colKernel<T: KernelScalar>(_ image: UnsafePointer<T>, _ cols: UnsafeMutablePointer<T>,
                                   _ g: ConvGeometry, _ images: Int) {
    parallelChunks(images, minimumPerThread: imageGrain(g)) { range in
        im2colImages(image, cols, g, range)
    }
}

@inline(__always)
private func im2colImages<T: KernelScalar>(_ image: UnsafePointer<T>, _ cols: UnsafeMutablePointer<T>,
                                           _ g: ConvGeometry, _ images: Range<Int>) {
    let cin = g.inChannels, kw = g.kernelWidth, patch = g.patchSize
    var row = cols + images.lowerBound * g.outPixelsPerImage * patch
    for n in images {
        let base = image + n * g.height * g.width * cin
        for oy in 0..<g.outHeight {
            let y0 = oy * g.strideY - g.padTop
            for ox in 0..<g.outWidth {
                let x0 = ox * g.strideX - g.padLeft
                let (jlo, jhi) = validTaps(origin: x0, kernel: kw, size: g.width)
                for i in 0..<g.kernelHeight {
                    let dst = row + i * kw * cin
                    let y = y0 + i
                    if y < 0 || y >= g.height || jlo >= jhi {
                        for t in 0..<(kw * cin) { dst[t] = 0 }
                        continue
                    }
                    for t in 0..<(jlo * cin) { dst[t] = 0 }
                    let src = base + ((y * g.width) + x0) * cin
                    for t in (jlo * cin)..<(jhi * cin) { dst[t] = src[t] }
                    for t in (jhi * cin)..<(kw * cin) { dst[t] = 0 }
                }
                row += patch
            }
        }
    }
}

func col2imKernel<T: KernelScalar>(_ cols: UnsafePointer<T>, _ image: UnsafeMutablePointer<T>,
                                   _ g: ConvGeometry, _ images: Int) {
    // Each image receives only its own patches, so threads never write the same values.
    parallelChunks(images, minimumPerThread: imageGrain(g)) { range in
        col2imImages(cols, image, g, range)
    }
}

@inline(__always)
private func col2imImages<T: KernelScalar>(_ cols: UnsafePointer<T>, _ image: UnsafeMutablePointer<T>,
                                           _ g: ConvGeometry, _ images: Range<Int>) {
    let cin = g.inChannels, kw = g.kernelWidth, patch = g.patchSize
    var row = cols + images.lowerBound * g.outPixelsPerImage * patch
    for n in images {
        let base = image + n * g.height * g.width * cin
        for oy in 0..<g.outHeight {
            let y0 = oy * g.strideY - g.padTop
            for ox in 0..<g.outWidth {
                let x0 = ox * g.strideX - g.padLeft
                let (jlo, jhi) = validTaps(origin: x0, kernel: kw, size: g.width)
                if jlo < jhi {
                    for i in 0..<g.kernelHeight {
                        let y = y0 + i
                        if y < 0 || y >= g.height { continue }
                        let src = row + i * kw * cin
                        let dst = base + ((y * g.width) + x0) * cin
                        for t in (jlo * cin)..<(jhi * cin) { dst[t] += src[t] }
                    }
                }
                row += patch
            }
        }
    }
}
