/// A small image of one object: intensities in [0, 1], 0 = not part of the object. // (height, width)
public struct Sprite: Sendable, Equatable {
    public let name: String
    public let height: Int
    public let width: Int
    public let values: [Float]

    public init(name: String, height: Int, width: Int, values: [Float]) {
        precondition(values.count == height * width, "sprite \(name) needs \(height)×\(width) values")
        self.name = name; self.height = height; self.width = width; self.values = values
    }

    /// Pixels that belong to the object (value > 0).
    public var pixelCount: Int { values.reduce(0) { $0 + ($1 > 0 ? 1 : 0) } }

    init(name: String, rows: [String]) {
        let values = rows.flatMap { $0.map { $0 == "1" ? Float(1) : 0 } }
        self.init(name: name, height: rows.count, width: rows[0].count, values: values)
    }

    func flippedVertically(name: String) -> Sprite {
        var flipped: [Float] = []
        for row in (0..<height).reversed() { flipped += values[row * width..<(row + 1) * width] }
        return Sprite(name: name, height: height, width: width, values: flipped)
    }
}

/// The three shapes of the Tagger shapes recipe (CuriousAI/tagger `data/shapes.py`).
public enum Shapes {
    /// 7×7 square outline two pixels thick: 40 pixels.
    public static let square = Sprite(name: "square", rows: [
        "1111111",
        "1111111",
        "1100011",
        "1100011",
        "1100011",
        "1111111",
        "1111111",
    ])

    /// 7×12 triangle pointing up: 48 pixels.
    public static let upTriangle = Sprite(name: "up-triangle", rows: [
        "000001100000",
        "000011110000",
        "000111111000",
        "001110011100",
        "011100001110",
        "111111111111",
        "111111111111",
    ])

    /// The up-triangle flipped vertically: 48 pixels.
    public static let downTriangle = upTriangle.flippedVertically(name: "down-triangle")

    /// Chosen uniformly for each object.
    public static let all = [square, upTriangle, downTriangle]
}
