// Layer normalisation over each row of `rowSize` values (all non-batch axes), with gain and bias
// per channel (the last axis, `channels` wide). Row statistics accumulate in Double so Float
// results match a float64 reference to ~1e-6 even for rows of thousands of values.

func layerNormForwardKernel<T: KernelScalar>(_ x: UnsafePointer<T>, _ gain: UnsafePointer<T>, _ bias: UnsafePointer<T>,
                                             _ y: UnsafeMutablePointer<T>, _ mean: UnsafeMutablePointer<T>,
                                             _ rstd: UnsafeMutablePointer<T>, _ rows: Int, _ rowSize: Int,
                                             _ channels: Int, _ epsilon: T) {
    let positions = rowSize / channels
    for r in 0..<rows {
        let xr = x + r * rowSize, yr = y + r * rowSize
        var sum = 0.0
        for j in 0..<rowSize { sum += Double(xr[j]) }
        let mu = sum / Double(rowSize)
        var squares = 0.0
        for j in 0..<rowSize { let d = Double(xr[j]) - mu; squares += d * d }
        let inv = 1 / (squares / Double(rowSize) + Double(epsilon)).squareRoot()
        let m = T(mu), s = T(inv)
        mean[r] = m
        rstd[r] = s
        for p in 0..<positions {
            let xp = xr + p * channels, yp = yr + p * channels
            for c in 0..<channels { yp[c] = (xp[c] - m) * s * gain[c] + bias[c] }
        }
    }
}

func layerNormBackwardKernel<T: KernelScalar>(_ x: UnsafePointer<T>, _ gain: UnsafePointer<T>, _ dy: UnsafePointer<T>,
                                              _ mean: UnsafePointer<T>, _ rstd: UnsafePointer<T>,
                                              _ dx: UnsafeMutablePointer<T>?, _ dgain: UnsafeMutablePointer<T>,
                                              _ dbias: UnsafeMutablePointer<T>, _ rows: Int, _ rowSize: Int,
                                              _ channels: Int) {
    let positions = rowSize / channels
    var gainSum = [Double](repeating: 0, count: channels)
    var biasSum = [Double](repeating: 0, count: channels)
    gainSum.withUnsafeMutableBufferPointer { gainSum in
        biasSum.withUnsafeMutableBufferPointer { biasSum in
            for r in 0..<rows {
                let xr = x + r * rowSize, dyr = dy + r * rowSize
                let m = mean[r], s = rstd[r]
                // Σ dx̂ and Σ dx̂·x̂ over the row, with dx̂ = dy·gain and x̂ = (x − mean)·rstd.
                var sumD = 0.0, sumDX = 0.0
                for p in 0..<positions {
                    let xp = xr + p * channels, dyp = dyr + p * channels
                    for c in 0..<channels {
                        let xhat = (xp[c] - m) * s
                        let g = dyp[c]
                        let dxhat = g * gain[c]
                        sumD += Double(dxhat)
                        sumDX += Double(dxhat * xhat)
                        gainSum[c] += Double(g * xhat)
                        biasSum[c] += Double(g)
                    }
                }
                guard let dx else { continue }
                let meanD = T(sumD / Double(rowSize)), meanDX = T(sumDX / Double(rowSize))
                let dxr = dx + r * rowSize
                for p in 0..<positions {
                    let xp = xr + p * channels, dyp = dyr + p * channels, dxp = dxr + p * channels
                    for c in 0..<channels {
                        let xhat = (xp[c] - m) * s
                        dxp[c] = s * (dyp[c] * gain[c] - meanD - xhat * meanDX)
                    }
                }
            }
            for c in 0..<channels {
                dgain[c] = T(gainSum[c])
                dbias[c] = T(biasSum[c])
            }
        }
    }
}
