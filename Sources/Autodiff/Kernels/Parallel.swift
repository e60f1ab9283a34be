import Dispatch
import Foundation
import Synchronization

/// How many threads the engine's own loops (elementwise, im2col, layer norm) may use; BLAS has its
/// own setting (``BLAS/setThreadCount(_:)``). Defaults to the number of active cores.
public enum Parallelism {
    private static let threads = Atomic<Int>(ProcessInfo.processInfo.activeProcessorCount)

    public static var threadCount: Int {
        get { threads.load(ordering: .relaxed) }
        set { threads.store(Swift.max(1, newValue), ordering: .relaxed) }
    }
}

/// Runs `body` over contiguous parts of 0..<count, concurrently when each thread gets at least
/// `minimumPerThread` items (below that, dispatch costs more than it saves).
@inline(__always)
func parallelChunks(_ count: Int, minimumPerThread: Int, _ body: (Range<Int>) -> Void) {
    let parts = parallelParts(count, minimumPerThread: minimumPerThread)
    parallelChunks(count, parts: parts) { _, range in body(range) }
}

/// How many parts `parallelChunks` splits `count` items into.
@inline(__always)
func parallelParts(_ count: Int, minimumPerThread: Int) -> Int {
    Swift.max(1, Swift.min(Parallelism.threadCount, count / Swift.max(1, minimumPerThread)))
}

/// Runs `body(part, range)` for `parts` contiguous parts of 0..<count, concurrently.
@inline(__always)
func parallelChunks(_ count: Int, parts: Int, _ body: (_ part: Int, _ range: Range<Int>) -> Void) {
    if parts <= 1 {
        body(0, 0..<count)
        return
    }
    // The parts touch disjoint data (each caller guarantees it), so sharing `body` is safe.
    withoutActuallyEscaping(body) { body in
        let shared = UncheckedSendable(body)
        DispatchQueue.concurrentPerform(iterations: parts) { part in
            shared.value(part, count * part / parts ..< count * (part + 1) / parts)
        }
    }
}

private struct UncheckedSendable<Value>: @unchecked Sendable {
    let value: Value
    init(_ value: Value) { self.value = value }
}

/// Elements per thread below which elementwise loops stay on one thread.
let elementwiseGrain = 1 << 15
