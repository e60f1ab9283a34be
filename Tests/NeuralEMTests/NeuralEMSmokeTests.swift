import XCTest
import NeuralEM

final class NeuralEMSmokeTests: XCTestCase {
    func testModuleLinks() { XCTAssertTrue(true) }
}
