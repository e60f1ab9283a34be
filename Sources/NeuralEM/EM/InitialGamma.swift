import Autodiff
import Foundation

/// How γ₀, the responsibilities before the first EM step, are drawn.
public enum InitialGamma: String, Codable, Sendable, CaseIterable {
    /// |N(0, 1)| normalised over K: per pixel as the reference, or on a coarse grid (`initial_gamma_grid`).
    case random
    /// From a k-means over the pixel coordinates of the first input frame's foreground, seeded at random
    /// by k-means++: the usual way to start EM for a mixture (scikit-learn's `GaussianMixture` does the
    /// same). Each component starts out owning one spatially compact part of the foreground.
    case kmeans
}

// MARK: - k-means γ₀

/// γ₀ from a weighted k-means (k-means++ seeding, Lloyd iterations) over pixel coordinates, the weight
/// of a pixel being how clearly its 3×3 neighbourhood is foreground (so isolated noise pixels count
/// little). γ₀ is a softmax over K of −d²/(2s²), d the distance to a component's centre, s = max(H, W)/14.
/// - Parameters:
///   - frames: the first input frame of each sequence, (B, 1, H, W, C) values in [0, 1]
///   - components: K
/// - Returns: γ₀ (B, K, H, W, 1), no gradient.
public func kMeansGamma(frames: Tensor, components k: Int, rng: inout SeededRNG) -> Tensor {
    let (b, h, w, c) = (frames.shape[0], frames.shape[2], frames.shape[3], frames.shape[4])
    let values = frames.scalars
    let pixels = h * w
    let scale = Float(max(h, w)) / 14
    let sharpness = 1 / (2 * scale * scale)
    return Tensor(shape: [b, k, h, w, 1]) { out in
        for image in 0..<b {
            let weights = foregroundWeights(Array(values[image * pixels * c..<(image + 1) * pixels * c]),
                                            height: h, width: w, channels: c)
            let centres = kMeansCentres(weights: weights, height: h, width: w, components: k, rng: &rng)
            for p in 0..<pixels {
                let (y, x) = (Float(p / w), Float(p % w))
                let logits = centres.map { -((y - $0.y) * (y - $0.y) + (x - $0.x) * (x - $0.x)) * sharpness }
                let top = logits.max()!
                let exps = logits.map { exp($0 - top) }
                let total = exps.reduce(0, +)
                for j in 0..<k { out[(image * k + j) * pixels + p] = exps[j] / total }
            }
        }
    }
}

/// max(0, m̄ − ½) per pixel, m̄ the 3×3 mean (within the frame) of the channel-averaged values; when
/// nothing passes, the channel averages themselves, and when the frame is empty, 1 everywhere.
func foregroundWeights(_ frame: [Float], height h: Int, width w: Int, channels c: Int) -> [Float] {
    var intensity = [Float](repeating: 0, count: h * w)
    for p in 0..<h * w {
        var s: Float = 0
        for ch in 0..<c { s += frame[p * c + ch] }
        intensity[p] = s / Float(c)
    }
    var weights = [Float](repeating: 0, count: h * w)
    for y in 0..<h {
        for x in 0..<w {
            var s: Float = 0, n: Float = 0
            for yy in max(0, y - 1)...min(h - 1, y + 1) {
                for xx in max(0, x - 1)...min(w - 1, x + 1) { s += intensity[yy * w + xx]; n += 1 }
            }
            weights[y * w + x] = max(0, s / n - 0.5)
        }
    }
    if weights.allSatisfy({ $0 == 0 }) { weights = intensity }
    if weights.allSatisfy({ $0 == 0 }) { weights = [Float](repeating: 1, count: h * w) }
    return weights
}

/// K centres (y, x) of the weighted pixel coordinates: k-means++ seeding, then 10 Lloyd iterations (an
/// empty cluster keeps its centre).
func kMeansCentres(weights: [Float], height h: Int, width w: Int, components k: Int,
                   rng: inout SeededRNG) -> [(y: Float, x: Float)] {
    let points = (0..<h * w).map { (y: Float($0 / w), x: Float($0 % w)) }
    func distance2(_ p: (y: Float, x: Float), _ q: (y: Float, x: Float)) -> Float {
        (p.y - q.y) * (p.y - q.y) + (p.x - q.x) * (p.x - q.x)
    }
    /// An index drawn with probability ∝ `mass` (uniform over the pixels when all mass is 0).
    func draw(_ mass: [Float]) -> Int {
        let total = mass.reduce(0, +)
        guard total > 0 else { return rng.nextInt(below: mass.count) }
        var u = rng.nextFloat() * total
        for (i, m) in mass.enumerated() {
            u -= m
            if u < 0 { return i }
        }
        return mass.lastIndex { $0 > 0 }!
    }
    var centres = [points[draw(weights)]]
    var nearest = points.map { distance2($0, centres[0]) }
    while centres.count < k {
        let mass = zip(weights, nearest).map { $0 * $1 }
        let next = points[draw(mass.contains { $0 > 0 } ? mass : weights)]
        centres.append(next)
        for i in points.indices { nearest[i] = min(nearest[i], distance2(points[i], next)) }
    }
    for _ in 0..<10 {
        var sums = [(y: Float, x: Float, w: Float)](repeating: (0, 0, 0), count: k)
        for (i, p) in points.enumerated() where weights[i] > 0 {
            var best = 0
            for j in 1..<k where distance2(p, centres[j]) < distance2(p, centres[best]) { best = j }
            sums[best].y += weights[i] * p.y
            sums[best].x += weights[i] * p.x
            sums[best].w += weights[i]
        }
        for j in 0..<k where sums[j].w > 0 { centres[j] = (sums[j].y / sums[j].w, sums[j].x / sums[j].w) }
    }
    return centres
}

// MARK: - random γ₀ on a grid

/// (N, G, G) → (N, H, W): bilinear interpolation between grid points placed at the centres of a G×G
/// tiling of the frame (clamped at the borders). No gradient: it only shapes the random γ₀.
public func bilinearUpsampled(_ grid: Tensor, height: Int, width: Int) -> Tensor {
    let (n, g) = (grid.shape[0], grid.shape[1])
    let values = grid.scalars
    // For each output row (or column): the two grid indices around it and the weight of the second.
    func taps(_ size: Int) -> [(Int, Int, Float)] {
        (0..<size).map { i in
            let u = min(max((Float(i) + 0.5) * Float(g) / Float(size) - 0.5, 0), Float(g - 1))
            let lo = Int(u)
            return (lo, min(lo + 1, g - 1), u - Float(lo))
        }
    }
    let rows = taps(height), columns = taps(width)
    return Tensor(shape: [n, height, width]) { out in
        for m in 0..<n {
            let base = m * g * g
            for (y, (y0, y1, wy)) in rows.enumerated() {
                for (x, (x0, x1, wx)) in columns.enumerated() {
                    let top = values[base + y0 * g + x0] * (1 - wx) + values[base + y0 * g + x1] * wx
                    let bottom = values[base + y1 * g + x0] * (1 - wx) + values[base + y1 * g + x1] * wx
                    out[(m * height + y) * width + x] = top * (1 - wy) + bottom * wy
                }
            }
        }
    }
}
