import XCTest
import Layers

final class LayersSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
