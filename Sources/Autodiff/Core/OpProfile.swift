import Dispatch
import Synchronization

/// Where a training step's time goes, op by op (`nem bench step --profile`). Off unless enabled, and
/// then cheap: one clock read per recorded op.
///
/// - Forward: the time from the previous recorded op (or ``mark()``) to this op's recording, so it holds
///   the op's own work plus whatever unrecorded work ran just before it (ops on values that need no
///   gradient, such as the E-step's ratio, and bookkeeping). Call ``mark()`` before a forward pass and
///   after work that should not be charged to the next op.
/// - Backward: each node's backward function plus the summing of its gradients into its inputs.
public enum OpProfile {
    public struct Entry: Sendable {
        public var op: String
        public var forwardSeconds = 0.0
        public var backwardSeconds = 0.0
        public var calls = 0
    }

    private struct State {
        var last: UInt64 = 0
        var entries: [String: Entry] = [:]
    }

    private static let state = Mutex(State())

    public static var isEnabled: Bool {
        get { enabled.load(ordering: .relaxed) }
        set {
            enabled.store(newValue, ordering: .relaxed)
            state.withLock { $0.last = DispatchTime.now().uptimeNanoseconds }
        }
    }

    private static let enabled = Atomic<Bool>(false)

    /// Forgets what was measured.
    public static func reset() { state.withLock { $0.entries = [:]; $0.last = DispatchTime.now().uptimeNanoseconds } }

    /// Starts the forward clock afresh (work before this point is not charged to the next op).
    @inline(__always) public static func mark() {
        guard enabled.load(ordering: .relaxed) else { return }
        state.withLock { $0.last = DispatchTime.now().uptimeNanoseconds }
    }

    /// Everything measured, the most expensive (forward + backward) first.
    public static var entries: [Entry] {
        state.withLock { Array($0.entries.values) }.sorted { $0.forwardSeconds + $0.backwardSeconds > $1.forwardSeconds + $1.backwardSeconds }
    }

    @inline(__always) static func recordForward(_ op: String) {
        guard enabled.load(ordering: .relaxed) else { return }
        state.withLock { state in
            let now = DispatchTime.now().uptimeNanoseconds
            state.entries[op, default: Entry(op: op)].forwardSeconds += Double(now &- state.last) / 1e9
            state.entries[op, default: Entry(op: op)].calls += 1
            state.last = now
        }
    }

    static func recordBackward(_ op: String, since start: UInt64) {
        let seconds = Double(DispatchTime.now().uptimeNanoseconds &- start) / 1e9
        state.withLock { $0.entries[op, default: Entry(op: op)].backwardSeconds += seconds }
    }

    /// A clock reading for ``recordBackward(_:since:)`` when profiling, else nil (no clock read).
    @inline(__always) static func start() -> UInt64? {
        enabled.load(ordering: .relaxed) ? DispatchTime.now().uptimeNanoseconds : nil
    }
}
