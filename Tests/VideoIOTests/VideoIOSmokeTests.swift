import XCTest
import VideoIO

final class VideoIOSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
