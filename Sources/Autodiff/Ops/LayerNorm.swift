/// Layer normalisation of each sample over all its non-batch axes, as the reference's
/// `slim.layer_norm`: y = (x − mean)/√(var + ε)·gain + bias, with mean and (biased) variance over
/// every value of the sample and `gain`, `bias` of shape (C) for the last axis C.
/// x: (B, …, C) → (B, …, C).
public func layerNorm<T>(_ x: TensorOf<T>, gain: TensorOf<T>, bias: TensorOf<T>, epsilon: T = 1e-12) -> TensorOf<T> {
    precondition(x.rank >= 2, "layerNorm of a tensor of shape \(x.shape): expected (B, …, C)")
    let channels = x.shape[x.rank - 1]
    precondition(gain.shape == [channels] && bias.shape == [channels],
                 "layerNorm of \(x.shape) with gain \(gain.shape) and bias \(bias.shape): expected both (\(channels))")
    let rows = x.shape[0], rowSize = x.count / Swift.max(1, rows)
    let y = TensorOf<T>.uninitialized(x.shape)
    let mean = TensorOf<T>.uninitialized([rows]), rstd = TensorOf<T>.uninitialized([rows])
    if rowSize > 0 {
        T.kernels.layerNormForward(x.storage.base, gain.storage.base, bias.storage.base, y.storage.base,
                                   mean.storage.base, rstd.storage.base, rows, rowSize, channels, epsilon)
    }
    guard recordsGradient(x, gain, bias) else { return y }
    return y.recorded("layerNorm", [x, gain, bias]) { dy, _ in
        let dx = x.requiresGrad ? TensorOf<T>.uninitialized(x.shape) : nil
        let dgain = TensorOf<T>.uninitialized([channels]), dbias = TensorOf<T>.uninitialized([channels])
        if rowSize > 0 {
            T.kernels.layerNormBackward(x.storage.base, gain.storage.base, dy.storage.base, mean.storage.base,
                                        rstd.storage.base, dx?.storage.base, dgain.storage.base, dbias.storage.base,
                                        rows, rowSize, channels)
        } else {
            T.kernels.fill(dgain.storage.base, 0, channels)
            T.kernels.fill(dbias.storage.base, 0, channels)
        }
        return [dx, gain.requiresGrad ? dgain : nil, bias.requiresGrad ? dbias : nil]
    }
}
