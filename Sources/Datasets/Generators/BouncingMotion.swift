/// Constant-velocity motion inside a box, reflecting off its walls.
///
/// The continuous top-left corner p moves by v each frame; when it leaves [0, limit] it is
/// mirrored back inside and that velocity component changes sign (one bounce). The object is drawn
/// at p rounded to the nearest pixel, so it never leaves the canvas.
struct BouncingMotion {
    /// Largest allowed top-left coordinate on each axis: canvas size minus object size.
    let limitY: Double, limitX: Double

    /// Rendered corners for `frames` frames starting at `start`, and the number of bounces.
    func trajectory(startY: Double, startX: Double, velocityY: Double, velocityX: Double,
                    frames: Int) -> (positions: [(y: Int, x: Int)], bounces: Int) {
        var y = startY, x = startX, vy = velocityY, vx = velocityX
        var bounces = 0
        var positions: [(y: Int, x: Int)] = []
        positions.reserveCapacity(frames)
        for frame in 0..<frames {
            if frame > 0 {
                y += vy; x += vx
                Self.reflect(&y, &vy, limit: limitY, bounces: &bounces)
                Self.reflect(&x, &vx, limit: limitX, bounces: &bounces)
            }
            positions.append((Int(y.rounded()), Int(x.rounded())))
        }
        return (positions, bounces)
    }

    private static func reflect(_ p: inout Double, _ v: inout Double, limit: Double, bounces: inout Int) {
        guard limit > 0 else { p = 0; return }
        // A step is shorter than the box in every configuration we allow, so at most one mirror per wall.
        while p < 0 || p > limit {
            if p < 0 { p = -p } else { p = 2 * limit - p }
            v = -v
            bounces += 1
        }
    }
}
