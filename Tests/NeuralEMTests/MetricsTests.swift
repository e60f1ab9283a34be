import Foundation
import XCTest
import NeuralEM

/// AMI and ARI against scikit-learn (issue 3: "agree with scikit-learn to 1e-9 on at least 200 random
/// label pairs … including the degenerate cases"). Fixture: scripts/fixtures/data_metrics_reference.py.
final class MetricsTests: XCTestCase {
    struct Fixture: Decodable {
        struct Case: Decodable {
            let name: String
            let `true`: [Int]
            let pred: [Int]
            let ari: Double
            let ami_max: Double
            let ami_arithmetic: Double
            let ami_geometric: Double
            let ami_min: Double
        }
        struct Scoring: Decodable {
            struct Image: Decodable { let ami_max, ami_arithmetic, ari, confidence: Double }
            let batch, components, pixels: Int
            let gamma: [Float]
            let groups: [Int32]
            let images: [Image]
        }
        let sklearn: String
        let cases: [Case]
        let scoring: Scoring
    }

    static let fixture: Fixture = {
        let url = Bundle.module.url(forResource: "metrics_sklearn", withExtension: "json", subdirectory: "Fixtures")!
        return try! JSONDecoder().decode(Fixture.self, from: Data(contentsOf: url))
    }()

    func testAMIAndARIMatchScikitLearnOn200PlusPairsIncludingDegenerateCases() {
        let cases = Self.fixture.cases
        XCTAssertGreaterThanOrEqual(cases.filter { $0.name.hasPrefix("random") }.count, 200)
        for c in cases {
            let expected: [(AMINormalization, Double)] = [(.max, c.ami_max), (.arithmetic, c.ami_arithmetic),
                                                          (.geometric, c.ami_geometric), (.min, c.ami_min)]
            for (normalization, value) in expected {
                XCTAssertEqual(adjustedMutualInformation(c.true, c.pred, normalization: normalization), value, accuracy: 1e-9,
                               "AMI(\(normalization)) \(c.name)")
            }
            XCTAssertEqual(adjustedRandIndex(c.true, c.pred), c.ari, accuracy: 1e-9, "ARI \(c.name)")
        }
    }

    func testDegenerateCasesGiveScikitLearnsExactValues() {
        XCTAssertEqual(adjustedMutualInformation([Int](), [Int]()), 1.0)
        XCTAssertEqual(adjustedMutualInformation([3], [7]), 1.0, "a single pixel")
        XCTAssertEqual(adjustedMutualInformation([1, 1, 1], [0, 0, 0], normalization: .max), 1.0, "one cluster each side")
        XCTAssertEqual(adjustedMutualInformation([1, 1, 1], [0, 1, 2]), 0.0, "one true cluster only")
        XCTAssertEqual(adjustedMutualInformation([0, 0, 1, 1], [5, 5, 9, 9]), 1.0, accuracy: 1e-12, "identical up to renaming")
        XCTAssertEqual(adjustedRandIndex([Int](), [Int]()), 1.0)
        XCTAssertEqual(adjustedRandIndex([1, 1, 2], [4, 4, 0]), 1.0)
        XCTAssertEqual(adjustedRandIndex([0, 0, 1, 1], [0, 1, 0, 1]), -0.5, accuracy: 1e-15)
    }

    func testAMIIgnoresLabelValuesAndIsSymmetricUnderArithmeticNormalization() {
        let a = [0, 0, 1, 1, 1, 2, 2, 0, 1, 2, 2, 2]
        let b = [1, 1, 1, 0, 0, 0, 2, 2, 0, 2, 1, 2]
        let renamed = b.map { [-4, 90, 7][$0] }
        XCTAssertEqual(adjustedMutualInformation(a, b), adjustedMutualInformation(a, renamed))
        XCTAssertEqual(adjustedMutualInformation(a, b), adjustedMutualInformation(b, a), accuracy: 1e-12)
        XCTAssertEqual(adjustedRandIndex(a, b), adjustedRandIndex(b, a), accuracy: 1e-12)
    }

    func testScoreGammaMatchesReferenceEvaluateGroups() {
        let s = Self.fixture.scoring
        let scores = scoreGamma(gamma: s.gamma, groups: s.groups, batch: s.batch, components: s.components, pixels: s.pixels)
        for (b, image) in s.images.enumerated() {
            XCTAssertEqual(scores.amiMax[b], image.ami_max, accuracy: 1e-9, "image \(b)")
            XCTAssertEqual(scores.amiArithmetic[b], image.ami_arithmetic, accuracy: 1e-9, "image \(b)")
            XCTAssertEqual(scores.ari[b], image.ari, accuracy: 1e-9, "image \(b)")
            XCTAssertEqual(scores.confidence[b], image.confidence, accuracy: 1e-6, "image \(b)")
        }
        XCTAssertEqual(scores.meanAMIMax, s.images.map(\.ami_max).reduce(0, +) / Double(s.batch), accuracy: 1e-9)
    }

    func testScoreGammaExcludesGroupZeroPixels() {
        // Two images of 4 pixels, K = 2. Pixels with group 0 are predicted wrongly but must not count.
        let groups: [Int32] = [1, 1, 2, 0, /**/ 0, 0, 3, 4]
        let gamma: [Float] = [0.9, 0.8, 0.1, 0.1, /* k=1 */ 0.1, 0.2, 0.9, 0.9,
                              0.9, 0.9, 0.9, 0.1, /* k=1 */ 0.1, 0.1, 0.1, 0.9]
        let scores = scoreGamma(gamma: gamma, groups: groups, batch: 2, components: 2, pixels: 4)
        XCTAssertEqual(scores.amiMax, [1, 1])
        XCTAssertEqual(scores.ari, [1, 1])
        XCTAssertEqual(scores.confidence[0], (0.9 + 0.8 + 0.9) / 3, accuracy: 1e-6)
    }

    func testSequenceScoresSkipInitialStepAndAverageOverSteps() {
        // T = 3 steps, B = 1, K = 2, P = 4: step 0 (initial) wrong, step 1 half right, step 2 perfect.
        let groups = [Int32](repeating: 0, count: 0) + [1, 1, 2, 2] + [1, 1, 2, 2] + [1, 1, 2, 2]
        let step0: [Float] = [0, 1, 0, 1, 1, 0, 1, 0]
        let step1: [Float] = [1, 0, 1, 0, 0, 1, 0, 1]
        let step2: [Float] = [1, 1, 0, 0, 0, 0, 1, 1]
        let scores = scoreGammaSequence(gammas: step0 + step1 + step2, groups: groups, steps: 3, batch: 1, components: 2, pixels: 4)
        XCTAssertEqual(scores.steps.count, 2)
        let step1AMI = adjustedMutualInformation([1, 1, 2, 2], [0, 1, 0, 1], normalization: .max)
        XCTAssertEqual(scores.lastAMI(.max), 1)
        XCTAssertEqual(scores.meanAMI(.max), (step1AMI + 1) / 2, accuracy: 1e-12)
        XCTAssertEqual(scoreGammaSequence(gammas: step0 + step1 + step2, groups: groups, steps: 3, batch: 1, components: 2,
                                          pixels: 4, skipInitial: false).steps.count, 3)
    }
}
