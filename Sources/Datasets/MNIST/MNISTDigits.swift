import Foundation

/// MNIST digits prepared as sprites for flying MNIST.
///
/// Each 28×28 digit is shrunk to 14×14 by averaging 2×2 blocks (intensity/255, so values stay in
/// [0, 1]) and cropped to the bounding box of its non-zero pixels (at most 14×14, typically about
/// 10×8), so that two or three digits move freely on the 24×24 canvas.
/// Training and validation digits come from the MNIST training file (validation: its last sixth,
/// i.e. images 50,000–59,999, so the two never share a digit); test digits from the test file.
public struct MNISTDigits: Sendable {
    public let directory: String
    private let training: [Sprite]
    private let test: [Sprite]

    /// File names tried, in order, for each set (the standard names and the ".idx" variant).
    static let trainNames = ["train-images-idx3-ubyte", "train-images.idx3-ubyte"]
    static let testNames = ["t10k-images-idx3-ubyte", "t10k-images.idx3-ubyte"]

    /// Loads the image files that `splits` need from `directory` (each gzipped or not).
    public init(directory: String, splits: Set<Split>) throws {
        self.directory = directory
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: directory, isDirectory: &isDirectory) else {
            throw DatasetError.missing(path: directory, reason: "no such MNIST directory")
        }
        guard isDirectory.boolValue else {
            throw DatasetError.badMNIST(path: directory, reason: "is a file; --mnist wants the directory holding the IDX files")
        }
        func load(_ names: [String], for purpose: String) throws -> [Sprite] {
            let candidates = names.flatMap { [$0 + ".gz", $0] }
            guard let name = candidates.first(where: { FileManager.default.fileExists(atPath: directory + "/" + $0) }) else {
                throw DatasetError.badMNIST(path: directory, reason: "no \(names[0])[.gz] IDX file (needed for \(purpose))")
            }
            let path = directory + "/" + name
            let sprites = Self.sprites(from: try IDXImages(path: path))
            guard !sprites.isEmpty else { throw DatasetError.badMNIST(path: path, reason: "every image is blank") }
            return sprites
        }
        let needsTrain = splits.contains(.training) || splits.contains(.validation)
        training = needsTrain ? try load(Self.trainNames, for: "the training and validation splits") : []
        test = splits.contains(.test) ? try load(Self.testNames, for: "the test split") : []
        if splits.contains(.training) && splits.contains(.validation) && training.count < 2 {
            throw DatasetError.badMNIST(path: directory, reason: "the training file needs at least 2 digits to split off validation")
        }
    }

    /// Splits that have digits.
    public var availableSplits: [Split] {
        Split.allCases.filter { !pool(for: $0).isEmpty }
    }

    /// The digits a split draws from.
    func pool(for split: Split) -> ArraySlice<Sprite> {
        let validationCount = max(1, training.count / 6)
        switch split {
        case .training: return training.count < 2 ? training[...] : training[..<(training.count - validationCount)]
        case .validation: return training[max(0, training.count - validationCount)...]
        case .test: return test[...]
        }
    }

    /// The largest sprite, which the canvas must hold.
    var largest: (height: Int, width: Int) {
        let all = training + test
        return (all.map(\.height).max() ?? 0, all.map(\.width).max() ?? 0)
    }

    /// Shrinks each image 2× by averaging and crops it to its non-zero bounding box.
    static func sprites(from images: IDXImages) -> [Sprite] {
        let h = max(1, images.rows / 2), w = max(1, images.columns / 2)
        let fy = images.rows / h, fx = images.columns / w
        let scale = 1 / (Float(fy * fx) * 255)
        var sprites: [Sprite] = []
        sprites.reserveCapacity(images.count)
        var small = [Float](repeating: 0, count: h * w)
        for n in 0..<images.count {
            let base = n * images.rows * images.columns
            var top = h, bottom = -1, left = w, right = -1
            for y in 0..<h {
                for x in 0..<w {
                    var sum = 0
                    for dy in 0..<fy { for dx in 0..<fx { sum += Int(images.pixels[base + (y * fy + dy) * images.columns + x * fx + dx]) } }
                    small[y * w + x] = Float(sum) * scale
                    if sum > 0 { top = min(top, y); bottom = max(bottom, y); left = min(left, x); right = max(right, x) }
                }
            }
            guard bottom >= 0 else { continue }
            var values: [Float] = []
            values.reserveCapacity((bottom - top + 1) * (right - left + 1))
            for y in top...bottom { values += small[y * w + left...y * w + right] }
            sprites.append(Sprite(name: "digit \(n)", height: bottom - top + 1, width: right - left + 1, values: values))
        }
        return sprites
    }
}

/// Flying MNIST: `objects` digits drawn uniformly from the split's digits (see `MNISTDigits`),
/// each starting at a uniform position inside the 24×24 grey canvas and moving with constant
/// velocity (speed in `options.speed`, default 1–2 px/frame), bouncing off the borders.
/// Overlapping digits are composited with `max`; a pixel's group is the one digit that reaches 0.1
/// there, else 0 (background, faint fringes, and overlaps); see `Compositor.drawGrey`.
public struct FlyingMNIST: SequenceGenerator {
    public let kind = DatasetKind.flyingMNIST
    public let options: GeneratorOptions
    public let digits: MNISTDigits
    /// When set, each split draws only from its first `variations` digits: the reference's curriculum
    /// (`flying_mnist_medium_20_2`, then `_500_2`, then all digits).
    public let variations: Int?
    /// The fit rule counts a digit as about 10×10 pixels.
    static let typicalArea = 100.0

    public init(options: GeneratorOptions = .init(defaultsFor: .flyingMNIST), digits: MNISTDigits, variations: Int? = nil) throws {
        try options.validate(kind: .flyingMNIST, largest: digits.largest, typicalArea: Self.typicalArea)
        if let variations, variations < 1 {
            throw DatasetError.invalidOptions("flying MNIST: variations must be at least 1, got \(variations)")
        }
        self.options = options
        self.digits = digits
        self.variations = variations
    }

    public var availableSplits: [Split] { digits.availableSplits }

    public func sequence(split: Split, index: Int, seed: UInt64) -> GeneratedSequence {
        var rng = rng(split: split, index: index, seed: seed)
        let all = digits.pool(for: split)
        let pool = variations.map { all.prefix($0) } ?? all
        precondition(!pool.isEmpty, "flying MNIST has no digits for the \(split.rawValue) split (check availableSplits)")
        let sprites = (0..<options.objects).map { _ in pool[pool.startIndex + rng.nextInt(below: pool.count)] }
        let (h, w) = (options.height, options.width)
        return makeMovingSequence(sprites: sprites, options: options, rng: &rng) { placements, offset, sequence in
            Compositor.drawGrey(placements, height: h, width: w, offset: offset,
                                features: &sequence.features, groups: &sequence.groups, overlaps: &sequence.overlaps)
        }
    }
}
