// Layer normalisation over each row of `rowSize` values (all non-batch axes), with gain and bias
// per channel (the last axis, `channels` wide): a row is `positions` × `channels` values.
//
// Every sum runs as per-channel partial sums across positions (independent accumulators, so the
// inner loop over channels vectorises), combined once per row. For a fully connected layer
// (positions = 1) the partial sums are the values themselves.

/// Per-channel scratch of `channels` values, zeroed by `reset`.
private struct ChannelSums<T: KernelScalar> {
    let values: UnsafeMutablePointer<T>
    let count: Int
    init(_ count: Int) {
        self.count = count
        values = .allocate(capacity: count)
    }
    func reset() { values.initialize(repeating: 0, count: count) }
    func free() { values.deallocate() }
    /// Σ_c values[c] · weight(c), in Double.
    func total(_ weight: (Int) -> T = { _ in 1 }) -> Double {
        var s = 0.0
        for c in 0..<count { s += Double(values[c] * weight(c)) }
        return s
    }
}

func layerNormForwardKernel<T: KernelScalar>(_ x: UnsafePointer<T>, _ gain: UnsafePointer<T>, _ bias: UnsafePointer<T>,
                                             _ y: UnsafeMutablePointer<T>, _ mean: UnsafeMutablePointer<T>,
                                             _ rstd: UnsafeMutablePointer<T>, _ rows: Int, _ rowSize: Int,
                                             _ channels: Int, _ epsilon: T) {
    parallelChunks(rows, minimumPerThread: Swift.max(1, elementwiseGrain / Swift.max(1, rowSize))) { rowRange in
        layerNormForwardRows(x, gain, bias, y, mean, rstd, rowRange, rowSize, channels, epsilon)
    }
}

@inline(__always)
private func layerNormForwardRows<T: KernelScalar>(_ x: UnsafePointer<T>, _ gain: UnsafePointer<T>, _ bias: UnsafePointer<T>,
                                                   _ y: UnsafeMutablePointer<T>, _ mean: UnsafeMutablePointer<T>,
                                                   _ rstd: UnsafeMutablePointer<T>, _ rowRange: Range<Int>, _ rowSize: Int,
                                                   _ channels: Int, _ epsilon: T) {
    let positions = rowSize / channels
    let sums = ChannelSums<T>(channels)
    defer { sums.free() }
    for r in rowRange {
        let xr = x + r * rowSize, yr = y + r * rowSize
        sums.reset()
        for p in 0..<positions {
            let xp = xr + p * channels
            for c in 0..<channels { sums.values[c] += xp[c] }
        }
        let m = T(sums.total() / Double(rowSize))
        sums.reset()
        for p in 0..<positions {
            let xp = xr + p * channels
            for c in 0..<channels { let d = xp[c] - m; sums.values[c] += d * d }
        }
        let s = T(1 / (sums.total() / Double(rowSize) + Double(epsilon)).squareRoot())
        mean[r] = m
        rstd[r] = s
        for p in 0..<positions {
            let xp = xr + p * channels, yp = yr + p * channels
            for c in 0..<channels { yp[c] = (xp[c] - m) * s * gain[c] + bias[c] }
        }
    }
}

/// With x̂ = (x − mean)·rstd and dx̂ = dy·gain:
/// dx = rstd·(dx̂ − mean(dx̂) − x̂·mean(dx̂·x̂)), dgain = Σ dy·x̂, dbias = Σ dy (over rows and positions).
func layerNormBackwardKernel<T: KernelScalar>(_ x: UnsafePointer<T>, _ gain: UnsafePointer<T>, _ dy: UnsafePointer<T>,
                                              _ mean: UnsafePointer<T>, _ rstd: UnsafePointer<T>,
                                              _ dx: UnsafeMutablePointer<T>?, _ dgain: UnsafeMutablePointer<T>,
                                              _ dbias: UnsafeMutablePointer<T>, _ rows: Int, _ rowSize: Int,
                                              _ channels: Int) {
    let positions = rowSize / channels
    let parts = parallelParts(rows, minimumPerThread: Swift.max(1, elementwiseGrain / Swift.max(1, rowSize)))
    // Each part sums its rows' contributions to dgain and dbias; the parts are added at the end.
    let partials = UnsafeMutablePointer<T>.allocate(capacity: parts * 2 * channels)
    defer { partials.deallocate() }
    partials.initialize(repeating: 0, count: parts * 2 * channels)
    parallelChunks(rows, parts: parts) { part, rowRange in
        let gainTotal = partials + part * 2 * channels, biasTotal = gainTotal + channels
        layerNormBackwardRows(x, gain, dy, mean, rstd, dx, gainTotal, biasTotal, rowRange, rowSize, positions, channels)
    }
    for c in 0..<channels {
        var g: T = 0, b: T = 0
        for part in 0..<parts {
            g += partials[part * 2 * channels + c]
            b += partials[part * 2 * channels + channels + c]
        }
        dgain[c] = g
        dbias[c] = b
    }
}

@inline(__always)
private func layerNormBackwardRows<T: KernelScalar>(_ x: UnsafePointer<T>, _ gain: UnsafePointer<T>, _ dy: UnsafePointer<T>,
                                                    _ mean: UnsafePointer<T>, _ rstd: UnsafePointer<T>,
                                                    _ dx: UnsafeMutablePointer<T>?, _ gainTotal: UnsafeMutablePointer<T>,
                                                    _ biasTotal: UnsafeMutablePointer<T>, _ rowRange: Range<Int>,
                                                    _ rowSize: Int, _ positions: Int, _ channels: Int) {
    // Per row: Σ_p dy and Σ_p dy·x̂ per channel; they also add up to dbias and dgain.
    let dySums = ChannelSums<T>(channels), dyXhatSums = ChannelSums<T>(channels)
    defer { dySums.free(); dyXhatSums.free() }
    for r in rowRange {
        let xr = x + r * rowSize, dyr = dy + r * rowSize
        let m = mean[r], s = rstd[r]
        dySums.reset()
        dyXhatSums.reset()
        for p in 0..<positions {
            let xp = xr + p * channels, dyp = dyr + p * channels
            for c in 0..<channels {
                let g = dyp[c]
                dySums.values[c] += g
                dyXhatSums.values[c] += g * (xp[c] - m) * s
            }
        }
        for c in 0..<channels {
            biasTotal[c] += dySums.values[c]
            gainTotal[c] += dyXhatSums.values[c]
        }
        guard let dx else { continue }
        let meanD = T(dySums.total { gain[$0] } / Double(rowSize))
        let meanDX = T(dyXhatSums.total { gain[$0] } / Double(rowSize))
        let dxr = dx + r * rowSize
        for p in 0..<positions {
            let xp = xr + p * channels, dyp = dyr + p * channels, dxp = dxr + p * channels
            for c in 0..<channels {
                let xhat = (xp[c] - m) * s
                dxp[c] = s * (dyp[c] * gain[c] - meanD - xhat * meanDX)
            }
        }
    }
}
