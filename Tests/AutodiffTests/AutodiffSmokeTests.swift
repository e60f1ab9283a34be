import XCTest
import Autodiff

final class AutodiffSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
