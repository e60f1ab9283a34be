/// What `nem dataset info` reports for one split, measured on its first `sampled` sequences.
public struct SplitSummary: Sendable {
    public let split: Split
    public let shape: SplitShape
    public let featuresType: String
    public let groupsType: String
    /// Sequences the statistics below were measured on.
    public let sampled: Int
    /// Distinct non-zero group ids per sequence: min, mean, max.
    public let objectsPerSequence: (min: Int, mean: Double, max: Int)
    /// Fraction of pixels with a non-zero feature value.
    public let foregroundFraction: Double
    /// Fraction of pixels covered by two or more objects; nil when the split has no `overlaps`.
    public let overlapFraction: Double?
    /// Fraction of pixels with group 0 among the foreground (unscored foreground: overlaps, faint fringes).
    public let unscoredForegroundFraction: Double

    /// Measures the first `sample` sequences of `split`, reading `block` sequences at a time.
    public init(file: DatasetFile, split: Split, sample: Int = 1000, block: Int = 256) throws {
        let reader = try file.split(split)
        self.split = split
        shape = reader.shape
        featuresType = reader.featuresType
        groupsType = reader.groupsType
        sampled = min(sample, shape.sequences)
        var minObjects = Int.max, maxObjects = 0, totalObjects = 0
        var pixels = 0, foreground = 0, unscoredForeground = 0, overlapping = 0
        let frameSize = shape.frameSize
        for start in stride(from: 0, to: sampled, by: block) {
            let range = start..<min(sampled, start + block)
            let batch = try reader.read(sequences: Array(range))  // (T, B, H, W, C)
            for b in 0..<batch.b {
                var ids = Set<Int32>()
                for f in 0..<batch.t {
                    let base = (f * batch.b + b) * frameSize
                    for i in base..<base + frameSize {
                        let g = batch.groups[i]
                        if g != 0 { ids.insert(g) }
                        if batch.features[i] > 0 {
                            foreground += 1
                            if g == 0 { unscoredForeground += 1 }
                        }
                    }
                }
                minObjects = min(minObjects, ids.count); maxObjects = max(maxObjects, ids.count); totalObjects += ids.count
            }
            pixels += batch.features.count
            if let counts = try reader.readOverlaps(sequences: range) {
                overlapping += counts.reduce(0) { $0 + ($1 >= 2 ? 1 : 0) }
            }
        }
        objectsPerSequence = (sampled == 0 ? 0 : minObjects, sampled == 0 ? 0 : Double(totalObjects) / Double(sampled), maxObjects)
        foregroundFraction = pixels == 0 ? 0 : Double(foreground) / Double(pixels)
        overlapFraction = reader.hasOverlaps ? (pixels == 0 ? 0 : Double(overlapping) / Double(pixels)) : nil
        unscoredForegroundFraction = foreground == 0 ? 0 : Double(unscoredForeground) / Double(foreground)
    }
}
