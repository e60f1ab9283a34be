/// A frame rate as an exact fraction (NTSC's 30000/1001 stays exact).
public struct FrameRate: Sendable, Equatable, CustomStringConvertible {
    public var numerator: Int
    public var denominator: Int

    public init(_ numerator: Int, _ denominator: Int = 1) {
        self.numerator = numerator
        self.denominator = denominator
    }

    /// The closest fraction with denominator 1 or 1001 (29.97 → 30000/1001), else over 1000.
    public init(approximating fps: Double) {
        for denominator in [1, 1001] {
            let numerator = (fps * Double(denominator)).rounded()
            if abs(numerator / Double(denominator) - fps) < 1e-4 {
                self.init(Int(numerator), denominator)
                return
            }
        }
        self.init(Int((fps * 1000).rounded()), 1000)
    }

    /// Frames per second.
    public var fps: Double { Double(numerator) / Double(denominator) }

    /// Whether both parts are positive.
    public var isValid: Bool { numerator > 0 && denominator > 0 }

    public var description: String {
        denominator == 1 ? "\(numerator)" : "\(numerator)/\(denominator)"
    }
}
