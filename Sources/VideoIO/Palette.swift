/// Colours for component labels: entry 0 is the background (black), entry k colours
/// component k.
public struct Palette: Sendable, Equatable {
    /// Index 0 = background.
    public let colours: [RGB]

    public init(colours: [RGB]) {
        precondition(colours.count >= 2, "a palette needs the background and at least one colour")
        self.colours = colours
    }

    /// The colour of `label`; labels past the end reuse the component colours in turn.
    public func colour(_ label: Int) -> RGB {
        if label < colours.count { return colours[max(0, label)] }
        return colours[1 + (label - 1) % (colours.count - 1)]
    }

    /// Black background and 32 clearly distinct colours for components 1…32: each picked to
    /// be as far as possible (CIELAB) from black and from those before it, all with lightness
    /// L* ≥ 45; no two closer than ΔE 28.7 (scripts/fixtures/distinct_palette.py).
    public static let distinct = Palette(colours: [RGB(0, 0, 0)] + [
        RGB(0, 255, 0),
        RGB(255, 0, 255),
        RGB(255, 0, 0),
        RGB(0, 255, 255),
        RGB(255, 221, 102),
        RGB(0, 136, 255),
        RGB(255, 153, 187),
        RGB(17, 136, 34),
        RGB(119, 136, 119),
        RGB(170, 85, 34),
        RGB(255, 0, 153),
        RGB(255, 255, 255),
        RGB(0, 255, 170),
        RGB(170, 85, 187),
        RGB(221, 255, 0),
        RGB(0, 170, 221),
        RGB(119, 68, 255),
        RGB(187, 238, 170),
        RGB(238, 51, 85),
        RGB(119, 119, 0),
        RGB(255, 136, 0),
        RGB(204, 187, 255),
        RGB(136, 238, 85),
        RGB(136, 102, 136),
        RGB(255, 187, 153),
        RGB(0, 170, 136),
        RGB(170, 187, 0),
        RGB(187, 68, 119),
        RGB(204, 17, 187),
        RGB(136, 204, 204),
        RGB(153, 102, 85),
        RGB(85, 119, 187)
    ])

    /// The DAVIS / PASCAL VOC palette of indexed mask PNGs (256 entries, 0 = black background,
    /// 1 = (128, 0, 0), 2 = (0, 128, 0), …): the bits of the index spread over R, G and B.
    public static let davis = Palette(colours: (0..<256).map { index in
        var (r, g, b) = (0, 0, 0)
        var bits = index
        for shift in (0..<8).reversed() {
            r |= (bits & 1) << shift
            g |= ((bits >> 1) & 1) << shift
            b |= ((bits >> 2) & 1) << shift
            bits >>= 3
        }
        return RGB(UInt8(r), UInt8(g), UInt8(b))
    })
}
