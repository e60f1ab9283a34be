import Autodiff
import Foundation
import XCTest

/// The PyTorch reference values of scripts/fixtures/engine_reference.py.
struct ReferenceFixtures {
    let cases: [String: Any]

    init() throws {
        let url = try XCTUnwrap(Bundle.module.url(forResource: "engine_reference", withExtension: "json", subdirectory: "Fixtures"))
        cases = try XCTUnwrap(JSONSerialization.jsonObject(with: Data(contentsOf: url)) as? [String: Any])
    }

    func tensorCase(_ name: String) throws -> [String: Tensor] {
        let fields = try XCTUnwrap(cases[name] as? [String: Any], "fixture case \(name)")
        var out: [String: Tensor] = [:]
        for (key, value) in fields {
            if let encoded = value as? [String: Any] { out[key] = try Self.tensor(encoded) }
        }
        return out
    }

    func field(_ caseName: String, _ key: String) throws -> Any {
        let fields = try XCTUnwrap(cases[caseName] as? [String: Any], "fixture case \(caseName)")
        return try XCTUnwrap(fields[key], "\(caseName).\(key)")
    }

    static func tensor(_ encoded: [String: Any]) throws -> Tensor {
        let shape = try XCTUnwrap(encoded["shape"] as? [Int])
        let values = try XCTUnwrap(encoded["values"] as? [Double])
        return Tensor(shape: shape, scalars: values.map(Float.init))
    }
}

/// Asserts max|actual − expected| ≤ 1e-5 · max|expected| (relative to the tensor's scale), with
/// shapes equal.
func assertMatches(_ actual: Tensor?, _ expected: Tensor?, _ what: String, tolerance: Float = 1e-5,
                   file: StaticString = #filePath, line: UInt = #line) {
    guard let actual, let expected else { return XCTFail("\(what): missing tensor", file: file, line: line) }
    XCTAssertEqual(actual.shape, expected.shape, "\(what): shape", file: file, line: line)
    guard actual.shape == expected.shape else { return }
    let scale = expected.scalars.map(Swift.abs).max() ?? 0
    let error = zip(actual.scalars, expected.scalars).map { Swift.abs($0 - $1) }.max() ?? 0
    XCTAssertLessThanOrEqual(error, tolerance * max(scale, 1e-30), "\(what): max error \(error) against scale \(scale)", file: file, line: line)
}

/// Overwrites a parameter with fixture values.
func assign(_ parameter: Tensor, _ value: Tensor?) {
    guard let value else { return XCTFail("missing fixture tensor") }
    precondition(parameter.shape == value.shape, "fixture shape \(value.shape) for parameter \(parameter.shape)")
    value.withUnsafeBufferPointer { src in parameter.withUnsafeMutableBufferPointer { _ = $0.update(fromContentsOf: src) } }
}

/// A leaf input that requires gradients.
func input(_ value: Tensor?) -> Tensor {
    let x = value!.copy()
    x.requiresGrad = true
    return x
}
