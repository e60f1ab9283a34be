import Foundation
import XCTest
import VideoIO

final class RenderingTests: XCTestCase {
    private let labels = LabelMap(width: 2, height: 2, labels: [0, 1, 2, 3])

    func testPalettes() {
        let distinct = Palette.distinct
        XCTAssertEqual(distinct.colours.count, 33)
        XCTAssertEqual(distinct.colour(0), RGB(0, 0, 0))
        XCTAssertEqual(Set(distinct.colours).count, 33)
        XCTAssertEqual(distinct.colour(33), distinct.colour(1))          // labels past 32 cycle
        let davis = Palette.davis
        XCTAssertEqual(Array(davis.colours.prefix(6)),
                       [RGB(0, 0, 0), RGB(128, 0, 0), RGB(0, 128, 0), RGB(128, 128, 0), RGB(0, 0, 128), RGB(128, 0, 128)])
        XCTAssertEqual(davis.colours.count, 256)
    }

    func testSegmentationUpscalesNearestNeighbour() {
        let source = RGBImage(width: 4, height: 4, fill: RGB(9, 9, 9))
        let frame = FrameRenderer(mode: .segmentation).render(labels: labels, source: source)
        XCTAssertEqual([frame.width, frame.height], [4, 4])
        for y in 0..<4 {
            for x in 0..<4 {
                XCTAssertEqual(frame[x, y], Palette.distinct.colour((y / 2) * 2 + x / 2), "(\(x), \(y))")
            }
        }
    }

    func testOverlayBlendsComponentsAndKeepsTheBackground() {
        let source = RGBImage(width: 6, height: 4, fill: RGB(100, 100, 100))
        let frame = FrameRenderer(mode: .overlay, opacity: 0.5).render(labels: labels, source: source)
        XCTAssertEqual(frame[0, 0], RGB(100, 100, 100))                 // background untouched
        let colour = Palette.distinct.colour(3)                         // bottom right
        let blended = RGB(UInt8((100 + Int(colour.r)) / 2), UInt8((100 + Int(colour.g)) / 2), UInt8((100 + Int(colour.b)) / 2))
        XCTAssertEqual(frame[5, 3], blended)
    }

    /// Rendering into a reused image leaves nothing of the previous frame behind.
    func testRenderingIntoAReusedImage() {
        let other = LabelMap(width: 2, height: 2, labels: [3, 0, 0, 1])
        for mode in [RenderMode.segmentation, .overlay, .sideBySide] {
            let renderer = FrameRenderer(mode: mode, panelHeight: 8)
            let first = syntheticFrame(width: 10, height: 6, index: 0), second = syntheticFrame(width: 10, height: 6, index: 5)
            var reused = RGBImage(width: 10, height: 6)
            renderer.render(labels: labels, source: first, into: &reused)
            renderer.render(labels: other, source: second, into: &reused)
            XCTAssertEqual(reused, renderer.render(labels: other, source: second), mode.rawValue)
        }
    }

    func testSideBySidePanels() {
        let model = LabelMap(width: 4, height: 3, labels: [0, 0, 1, 1, 0, 0, 1, 1, 2, 2, 2, 2])
        let renderer = FrameRenderer(mode: .sideBySide, panelHeight: 30)
        let source = RGBImage(width: 40, height: 30, fill: RGB(200, 10, 10))
        let binarized: [Float] = [0, 0, 1, 1, 0, 0, 1, 1, 1, 1, 1, 1]
        let predictions = [Float](repeating: 0.5, count: 12)
        let frame = renderer.render(labels: model, source: source, binarized: binarized, predictions: predictions)
        let size = renderer.outputSize(sourceWidth: 40, sourceHeight: 30, modelWidth: 4, modelHeight: 3)
        XCTAssertEqual([frame.width, frame.height], [size.width, size.height])
        XCTAssertEqual([frame.width, frame.height], [4 * 40 + 3 * 4, 30])    // panels 40 × 30, gaps of 4
        let panel = 44
        XCTAssertEqual(frame[5, 5], RGB(200, 10, 10))                       // input
        XCTAssertEqual(frame[panel + 5, 5], RGB(0, 0, 0))                   // binarized 0
        XCTAssertEqual(frame[panel + 35, 5], RGB(255, 255, 255))            // binarized 1
        XCTAssertEqual(frame[2 * panel + 5, 5], RGB(128, 128, 128))         // prediction 0.5
        XCTAssertEqual(frame[3 * panel + 35, 5], Palette.distinct.colour(1))
        XCTAssertEqual(frame[3 * panel + 5, 25], Palette.distinct.colour(2))
        XCTAssertEqual(frame[41, 5], RGB(64, 64, 64))                       // gap
    }
}
