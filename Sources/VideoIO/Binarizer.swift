/// How grey pixels at the model's size become the model's 0/1 input.
public struct Binarization: Sendable, Equatable {
    /// Where the threshold comes from. A pixel is 1 when its grey value is above it.
    public enum Threshold: Sendable, Equatable {
        /// The same threshold on every frame.
        case fixed(UInt8)
        /// Otsu's threshold of each frame on its own.
        case otsu
        /// Otsu's threshold of the first `frames` frames pooled, then fixed: stable on a
        /// steady scene, and no flicker when an object leaves the picture.
        case auto(frames: Int)
    }

    public var threshold: Threshold
    /// Makes dark objects on a light background the foreground (grey g becomes 255 − g).
    public var invert: Bool

    public init(threshold: Threshold = .auto(frames: 5), invert: Bool = false) {
        self.threshold = threshold
        self.invert = invert
    }
}

/// Applies a `Binarization` frame after frame (it keeps the pooled histogram of `.auto`).
public struct Binarizer: Sendable {
    public let binarization: Binarization
    private var pooled = [Int](repeating: 0, count: 256)
    private var framesPooled = 0
    private var frozen: UInt8?

    public init(_ binarization: Binarization) {
        self.binarization = binarization
    }

    /// Writes 1 where the (optionally inverted) grey value is above the threshold, 0 elsewhere,
    /// and returns the threshold used.
    /// - Parameters:
    ///   - grey: (H, W) grey values.
    ///   - input: (H, W) receives 0 or 1; must have `grey.count` elements.
    @discardableResult
    public mutating func binarize(_ grey: [UInt8], into input: inout [Float]) -> UInt8 {
        precondition(input.count == grey.count, "binarize: \(input.count) outputs for \(grey.count) pixels")
        let flip: UInt8 = binarization.invert ? 255 : 0
        let threshold = nextThreshold(grey, flip: flip)
        for i in grey.indices {
            input[i] = (grey[i] ^ flip) > threshold ? 1 : 0
        }
        return threshold
    }

    private mutating func nextThreshold(_ grey: [UInt8], flip: UInt8) -> UInt8 {
        switch binarization.threshold {
        case .fixed(let value):
            return value
        case .otsu:
            return otsuThreshold(histogram(grey, flip: flip))
        case .auto(let frames):
            if let frozen { return frozen }
            let frameHistogram = histogram(grey, flip: flip)
            for value in 0..<256 { pooled[value] += frameHistogram[value] }
            framesPooled += 1
            let threshold = otsuThreshold(pooled)
            if framesPooled >= frames { frozen = threshold }
            return threshold
        }
    }

    private func histogram(_ grey: [UInt8], flip: UInt8) -> [Int] {
        var counts = [Int](repeating: 0, count: 256)
        for value in grey { counts[Int(value ^ flip)] += 1 }
        return counts
    }
}

/// Otsu's threshold: the t that maximises the between-class variance of {≤ t} and {> t}.
/// When a range of t ties (an empty gap between the two classes), the middle of the range.
/// With a single grey level, that level (so every pixel is 0).
public func otsuThreshold(_ histogram: [Int]) -> UInt8 {
    precondition(histogram.count == 256, "otsuThreshold needs 256 bins")
    let total = Double(histogram.reduce(0, +))
    let weightedTotal = histogram.indices.reduce(0.0) { $0 + Double($1 * histogram[$1]) }
    var background = 0.0, weightedBackground = 0.0
    var best = -1.0
    var bestRange: (first: Int, last: Int)?
    for t in 0..<255 {
        background += Double(histogram[t])
        weightedBackground += Double(t * histogram[t])
        let foreground = total - background
        if background == 0 { continue }
        if foreground == 0 { break }
        let meanBackground = weightedBackground / background
        let meanForeground = (weightedTotal - weightedBackground) / foreground
        let betweenVariance = background * foreground * (meanBackground - meanForeground) * (meanBackground - meanForeground)
        if betweenVariance > best * (1 + 1e-12) {
            best = betweenVariance
            bestRange = (t, t)
        } else if betweenVariance >= best * (1 - 1e-12), let range = bestRange, range.last == t - 1 {
            bestRange = (range.first, t)
        }
    }
    guard let bestRange else { return UInt8(histogram.lastIndex { $0 > 0 } ?? 0) }
    return UInt8((bestRange.first + bestRange.last) / 2)
}
