import Foundation

/// The state one run of a `StageGraph` shares between its stages: the first failure, the
/// cancellation of every queue, and the barrier after which every stage learns the outcome.
final class GraphRun: @unchecked Sendable {
    // Everything below `condition` is read and written only while holding it.
    private let condition = NSCondition()
    private var failure: PipelineError?
    private var interrupted = false
    private var loopsRunning: Int
    private var decided: GraphOutcome?

    private let queues: [any CancellableQueue]
    private let stop: StopSignal?

    init(nodeCount: Int, queues: [any CancellableQueue], stop: StopSignal?) {
        loopsRunning = nodeCount
        self.queues = queues
        self.stop = stop
    }

    /// Whether a stage failed; every loop stops at its next item.
    var isCancelled: Bool { withLock { failure != nil } }

    /// Whether the caller asked the sources to stop reading.
    var isStopRequested: Bool { stop?.isStopped ?? false }

    /// The error `run` throws: the first stage failure, if any.
    var firstFailure: PipelineError? { withLock { failure } }

    /// Records a stage's error. The first one wins and cancels every queue, which wakes every
    /// blocked producer and consumer; later ones (often consequences of the first) are dropped.
    func fail(stage: String, error: any Error) {
        let isFirst: Bool = withLock {
            guard failure == nil else { return false }
            failure = .stageFailed(stage: stage, underlying: error)
            return true
        }
        guard isFirst else { return }
        for queue in queues { queue.cancel() }
    }

    /// A source stopped reading because a stop was requested.
    func markInterrupted() { withLock { interrupted = true } }

    /// A stage's loop (start, items, flush) is over; the last one decides the outcome.
    func loopEnded() {
        condition.lock()
        loopsRunning -= 1
        if loopsRunning == 0 {
            decided = failure != nil ? .failed : interrupted ? .interrupted : .completed
            condition.broadcast()
        }
        condition.unlock()
    }

    /// Waits until every loop has ended, then tells how the graph ended.
    func awaitOutcome() -> GraphOutcome {
        condition.lock()
        defer { condition.unlock() }
        while decided == nil { condition.wait() }
        return decided ?? .failed
    }

    /// The outcome as the caller sees it: `.failed` also when a `finish` threw after the barrier.
    var finalOutcome: GraphOutcome {
        withLock { failure != nil ? .failed : (decided ?? .failed) }
    }

    private func withLock<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }
}

/// A queue the graph can cancel without knowing its element type.
protocol CancellableQueue: AnyObject, Sendable {
    func cancel()
}

extension BoundedQueue: CancellableQueue {}
