/// An object placed in one frame: its sprite, top-left corner, and group id (1-based).
struct Placement {
    let sprite: Sprite
    let y: Int
    let x: Int
    let id: UInt8
}

/// Draws objects into one frame of `features`, `groups` and `overlaps`, each (H, W) at `offset`.
enum Compositor {
    /// Binary objects (the shapes recipe): a pixel is 1 where any object covers it; its group is
    /// the covering object's id, or 0 (unscored) where two or more objects overlap.
    static func drawBinary(_ placements: [Placement], height: Int, width: Int, offset: Int,
                           features: inout [Float], groups: inout [UInt8], overlaps: inout [UInt8]) {
        for p in placements {
            for sy in 0..<p.sprite.height {
                for sx in 0..<p.sprite.width where p.sprite.values[sy * p.sprite.width + sx] > 0 {
                    let i = offset + (p.y + sy) * width + p.x + sx
                    overlaps[i] &+= 1
                    groups[i] = p.id
                }
            }
        }
        for i in offset..<offset + height * width where overlaps[i] > 0 {
            features[i] = 1
            if overlaps[i] > 1 { groups[i] = 0 }
        }
    }

    /// Intensity at which a grey object (an MNIST digit stroke) counts as covering a pixel.
    static let coverageThreshold: Float = 0.1

    /// Grey objects (flying MNIST): a pixel's value is the brightest object's intensity there
    /// (max compositing, so digits never saturate each other). A pixel one object covers at
    /// `coverageThreshold` or more belongs to that object; pixels two or more objects cover are
    /// group 0 (unscored), as in the original layout and the authors' multi-MNIST data; fainter
    /// pixels (digit fringes) and background are group 0 too.
    static func drawGrey(_ placements: [Placement], height: Int, width: Int, offset: Int,
                         features: inout [Float], groups: inout [UInt8], overlaps: inout [UInt8]) {
        for p in placements {
            for sy in 0..<p.sprite.height {
                for sx in 0..<p.sprite.width {
                    let v = p.sprite.values[sy * p.sprite.width + sx]
                    guard v > 0 else { continue }
                    let i = offset + (p.y + sy) * width + p.x + sx
                    if v >= coverageThreshold {
                        overlaps[i] &+= 1
                        groups[i] = overlaps[i] == 1 ? p.id : 0
                    }
                    if v > features[i] { features[i] = v }
                }
            }
        }
    }
}
