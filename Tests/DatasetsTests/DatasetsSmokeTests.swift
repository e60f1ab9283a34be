import XCTest
import Datasets

final class DatasetsSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
