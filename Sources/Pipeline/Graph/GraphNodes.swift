/// A stage or source inside a graph, its type erased: its loop runs on the stage's own queue.
protocol GraphNode: AnyObject, Sendable {
    var name: String { get }
    var stats: StatsCell { get }
    func run(in run: GraphRun)
}

/// Where a node's outputs go: one bounded queue per consumer (fan-out), filled in order.
final class Outlet<Element: Sendable>: @unchecked Sendable {
    // Appended to only while the graph is built, on the builder's thread; read-only once it runs
    // (dispatching the loops orders the two).
    private var queues: [BoundedQueue<Element>] = []

    func connect(capacity: Int) -> BoundedQueue<Element> {
        let queue = BoundedQueue<Element>(capacity: capacity)
        queues.append(queue)
        return queue
    }

    /// Hands `element` to every consumer, waiting on any that is full.
    /// - Returns: `false` when the graph was cancelled.
    func push(_ element: Element) -> Bool {
        for queue in queues where !queue.push(element) { return false }
        return true
    }

    func close() {
        for queue in queues { queue.close() }
    }
}

/// Runs a `Source`: reads until its input ends, a stop is requested, or the graph is cancelled.
final class SourceNode<S: Source>: GraphNode, @unchecked Sendable {
    let name: String
    let stats: StatsCell
    let outlet = Outlet<S.Output>()
    private var source: S  // touched only by `run`, on the node's own queue

    init(name: String, source: sending S) {
        self.name = name
        self.source = source
        stats = StatsCell(name: name, queueCapacity: nil, peak: nil)
    }

    func run(in run: GraphRun) {
        let cpuStart = threadCPUTime()
        defer { stats.record { $0.cpu = threadCPUTime() - cpuStart } }
        do {
            var busy = 0.0
            try timed(&busy) { try source.start() }
            stats.record { $0.busy += busy }
            while !run.isCancelled {
                if run.isStopRequested {
                    run.markInterrupted()
                    break
                }
                var busy = 0.0, waitOut = 0.0
                guard let item = try timed(&busy, { try source.next() }) else {
                    stats.record { $0.busy += busy }
                    break
                }
                let pushed = timed(&waitOut) { outlet.push(item) }
                stats.record {
                    $0.frames += 1
                    $0.busy += busy
                    $0.waitingForOutput += waitOut
                }
                if !pushed { break }
            }
            if !run.isCancelled { try flush { try source.flush() } }
        } catch {
            run.fail(stage: name, error: error)
        }
        outlet.close()
        settle(run) { try source.finish($0) }
    }
}

/// Runs a `Stage`: takes items from its input queue until it is closed and empty, or cancelled.
final class StageNode<S: Stage>: GraphNode, @unchecked Sendable {
    let name: String
    let stats: StatsCell
    let outlet = Outlet<S.Output>()
    private let input: BoundedQueue<S.Input>
    private var stage: S  // touched only by `run`, on the node's own queue

    init(name: String, stage: sending S, input: BoundedQueue<S.Input>) {
        self.name = name
        self.stage = stage
        self.input = input
        stats = StatsCell(name: name, queueCapacity: input.capacity) { [input] in input.peakCount }
    }

    func run(in run: GraphRun) {
        let cpuStart = threadCPUTime()
        defer { stats.record { $0.cpu = threadCPUTime() - cpuStart } }
        do {
            var busy = 0.0
            try timed(&busy) { try stage.start() }
            stats.record { $0.busy += busy }
            while true {
                var waitIn = 0.0, busy = 0.0, waitOut = 0.0
                guard let item = timed(&waitIn, { input.pop() }) else {
                    stats.record { $0.waitingForInput += waitIn }
                    break
                }
                let output = try timed(&busy) { try stage.process(item) }
                let pushed = timed(&waitOut) { outlet.push(output) }
                stats.record {
                    $0.frames += 1
                    $0.busy += busy
                    $0.waitingForInput += waitIn
                    $0.waitingForOutput += waitOut
                }
                if !pushed { break }
            }
            if !run.isCancelled { try flush { try stage.flush() } }
        } catch {
            run.fail(stage: name, error: error)
        }
        outlet.close()
        settle(run) { try stage.finish($0) }
    }
}

extension GraphNode {
    /// Runs `body` (a `flush`), counting its time as busy.
    fileprivate func flush(_ body: () throws -> Void) throws {
        var busy = 0.0
        defer { stats.record { $0.busy += busy } }
        try timed(&busy, body)
    }

    /// The end of every node: wait until all loops are over, then `finish` with the outcome.
    fileprivate func settle(_ run: GraphRun, finish: (GraphOutcome) throws -> Void) {
        run.loopEnded()
        let outcome = run.awaitOutcome()
        var busy = 0.0
        do {
            try timed(&busy) { try finish(outcome) }
        } catch where outcome.keepsOutputs {
            run.fail(stage: name, error: error)
        } catch {
            // The graph already failed; the first error is the one reported.
        }
        stats.record { $0.busy += busy }
    }
}
