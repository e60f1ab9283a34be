/// How one op's result was computed: its inputs and the function that maps the gradient of the
/// result to the gradients of the inputs (nil where an input needs none).
final class GraphNode<Scalar: TensorScalar> {
    /// The op's name, for messages.
    let op: String
    var inputs: [TensorOf<Scalar>]
    /// (gradient of the output, the output itself) → one gradient per input. A backward function
    /// returns fresh tensors or passes the incoming gradient through unchanged, never a tensor it
    /// will write to later. Nil once a backward pass has consumed the graph.
    var backward: ((TensorOf<Scalar>, TensorOf<Scalar>) -> [TensorOf<Scalar>?])?

    init(op: String, inputs: [TensorOf<Scalar>], backward: @escaping (TensorOf<Scalar>, TensorOf<Scalar>) -> [TensorOf<Scalar>?]) {
        self.op = op
        self.inputs = inputs
        self.backward = backward
    }
}

/// Whether ops record gradients on this task or thread (true unless inside ``withoutGradients(_:)``).
public enum GradientRecording {
    @TaskLocal public static var isEnabled = true
}

/// Runs `body` without recording gradients, even for parameters that require them (inference).
public func withoutGradients<R>(_ body: () throws -> R) rethrows -> R {
    try GradientRecording.$isEnabled.withValue(false, operation: body)
}

/// Whether an op on `inputs` must record itself.
@inline(__always)
func recordsGradient<T>(_ inputs: TensorOf<T>...) -> Bool {
    inputs.contains { $0.requiresGrad } && GradientRecording.isEnabled
}

@inline(__always)
func recordsGradient<T>(_ inputs: [TensorOf<T>]) -> Bool {
    inputs.contains { $0.requiresGrad } && GradientRecording.isEnabled
}

extension TensorOf {
    /// Attaches `backward` to this freshly computed tensor (call only when ``recordsGradient`` said so).
    func recorded(_ op: String, _ inputs: [TensorOf], backward: @escaping (TensorOf, TensorOf) -> [TensorOf?]) -> TensorOf {
        node = GraphNode(op: op, inputs: inputs, backward: backward)
        OpProfile.recordForward(op)
        return self
    }

    /// Back-propagates from this one-element tensor (the loss): adds d(self)/d(leaf) to the ``grad``
    /// of every leaf that requires gradients, running the recorded ops in reverse order. The graph is
    /// consumed: its intermediate values are released and a second backward through it traps.
    public func backward() {
        precondition(count == 1, "backward() starts from a one-element loss, not a tensor of shape \(shape)")
        backward(seed: TensorOf.ones(shape))
    }

    /// Back-propagates `seed` (the gradient of some scalar with respect to this tensor).
    public func backward(seed: TensorOf) {
        precondition(seed.shape == shape, "backward seed of shape \(seed.shape) for a tensor of shape \(shape)")
        guard requiresGrad else { return }
        guard node != nil else { accumulateGrad(seed); return }
        let order = topologicalOrder()
        // Gradients of intermediate results, released as soon as their node has run.
        var pending: [ObjectIdentifier: TensorOf] = [ObjectIdentifier(self): seed]
        var owned: Set<ObjectIdentifier> = []
        for tensor in order.reversed() {
            guard let node = tensor.node, let g = pending.removeValue(forKey: ObjectIdentifier(tensor)) else { continue }
            guard let backward = node.backward else {
                preconditionFailure("backward through the result of \(node.op) whose graph an earlier backward() consumed")
            }
            let started = OpProfile.start()
            defer { if let started { OpProfile.recordBackward(node.op, since: started) } }
            let inputGrads = backward(g, tensor)
            for (input, inputGrad) in zip(node.inputs, inputGrads) {
                guard let inputGrad, input.requiresGrad else { continue }
                precondition(inputGrad.shape == input.shape,
                             "\(node.op) backward produced a gradient of shape \(inputGrad.shape) for an input of shape \(input.shape)")
                if input.node == nil {
                    input.accumulateGrad(inputGrad)
                    continue
                }
                let id = ObjectIdentifier(input)
                if let current = pending[id] {
                    if owned.contains(id) {
                        addInPlace(current, inputGrad)
                    } else {
                        pending[id] = elementwiseSum(current, inputGrad)
                        owned.insert(id)
                    }
                } else {
                    pending[id] = inputGrad
                }
            }
        }
        for tensor in order {
            tensor.node?.backward = nil
            tensor.node?.inputs = []
        }
    }

    /// Every tensor with a graph node reachable from this one, each after all of its inputs.
    private func topologicalOrder() -> [TensorOf] {
        var order: [TensorOf] = []
        var visited: Set<ObjectIdentifier> = [ObjectIdentifier(self)]
        // Iterative depth-first search: (tensor, index of the next input to visit).
        var stack: [(TensorOf, Int)] = [(self, 0)]
        while let (tensor, next) = stack.popLast() {
            let inputs = tensor.node?.inputs ?? []
            if next < inputs.count {
                stack.append((tensor, next + 1))
                let input = inputs[next]
                if input.node != nil, visited.insert(ObjectIdentifier(input)).inserted {
                    stack.append((input, 0))
                }
            } else {
                order.append(tensor)
            }
        }
        return order
    }
}
