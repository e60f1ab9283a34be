import XCTest
@testable import Autodiff

final class BLASCoreTests: XCTestCase {
    func testACoreTypeTheUserSetIsLeftAlone() {
        XCTAssertNil(BLAS.coreTypeToRequest(environment: ["OPENBLAS_CORETYPE": "Haswell"]))
        XCTAssertNil(BLAS.coreTypeToRequest(environment: ["OPENBLAS_CORETYPE": "Prescott"]))
    }

    func testAVectorCoreIsKeptAndAnyOtherReplacedByOneThisCPURuns() {
        let request = BLAS.coreTypeToRequest(environment: [:])
        if BLAS.vectorCores.contains(BLAS.coreName.lowercased()) {
            XCTAssertNil(request, "OpenBLAS chose \(BLAS.coreName)")
        } else if let request {
            XCTAssertTrue(["SkylakeX", "Haswell"].contains(request), request)
        }
        // An empty variable is no choice: OpenBLAS then picked its kernels as if it were unset.
        XCTAssertEqual(BLAS.coreTypeToRequest(environment: ["OPENBLAS_CORETYPE": ""]), request)
    }
}
