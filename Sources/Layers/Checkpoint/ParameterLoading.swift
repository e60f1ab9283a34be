import Autodiff

/// Copies `tensors[name]` into each destination tensor in place, after checking that every name is
/// present with the right shape (nothing is written when any is not). `source` names the file.
func copyTensors(_ destinations: [(String, Tensor)], from tensors: [String: Tensor], source: String) throws {
    for (name, destination) in destinations {
        guard let value = tensors[name] else {
            throw CheckpointError.mismatch(path: source, reason: "no tensor '\(name)'")
        }
        guard value.shape == destination.shape else {
            throw CheckpointError.mismatch(path: source, reason: "tensor '\(name)' has shape \(value.shape), expected \(destination.shape)")
        }
    }
    for (name, destination) in destinations {
        let value = tensors[name]!
        value.withUnsafeBufferPointer { src in
            destination.withUnsafeMutableBufferPointer { dst in _ = dst.update(fromContentsOf: src) }
        }
    }
}

extension ParameterContainer {
    /// Overwrites every parameter with the tensor of the same name in `tensors` (extra tensors,
    /// such as optimizer state or another network's parameters, are ignored). Throws, before
    /// changing anything, naming the first parameter that is missing or has another shape.
    /// `including` picks the parameters to load (all by default); the others keep their values.
    public func loadParameters(from tensors: [String: Tensor], source: String,
                               including: (String) -> Bool = { _ in true }) throws {
        try copyTensors(namedParameters.filter { including($0.name) }.map { ($0.name, $0.tensor) }, from: tensors, source: source)
    }

    /// The parameters by name (for ``SafeTensors/write(_:metadata:to:overwrite:)``).
    public var parameterDictionary: [String: Tensor] {
        Dictionary(namedParameters.map { ($0.name, $0.tensor) }, uniquingKeysWith: { first, _ in first })
    }
}
