import Autodiff
import XCTest

/// The op profile counts recorded ops forward and backward only while enabled.
final class OpProfileTests: XCTestCase {
    func testCountsRecordedOpsOnlyWhileEnabled() {
        var rng = SeededRNG(seed: 5)
        let x = Tensor(randomNormal: [64, 128], using: &rng), w = Tensor(randomNormal: [128, 32], using: &rng)
        w.requiresGrad = true
        OpProfile.reset()
        sum(matmul(x, w)).backward()
        XCTAssertTrue(OpProfile.entries.isEmpty, "nothing is recorded while the profile is off")

        OpProfile.isEnabled = true
        defer { OpProfile.isEnabled = false; OpProfile.reset() }
        OpProfile.mark()
        for _ in 0..<2 { sum(sigmoid(matmul(x, w))).backward() }
        let entries = Dictionary(uniqueKeysWithValues: OpProfile.entries.map { ($0.op, $0) })
        XCTAssertEqual(entries["matmul"]?.calls, 2)
        XCTAssertEqual(entries["sigmoid"]?.calls, 2)
        XCTAssertGreaterThan(entries["matmul"]?.forwardSeconds ?? 0, 0)
        XCTAssertGreaterThan(entries["matmul"]?.backwardSeconds ?? 0, 0)
    }
}
