import XCTest
import Pipeline

final class PipelineSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
