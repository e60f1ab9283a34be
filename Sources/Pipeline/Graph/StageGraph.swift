import Dispatch

/// A graph of stages, each running on its own serial `DispatchQueue`, joined by bounded queues.
///
/// `nem track` builds this one (the tracker's output fans out to the optional sinks):
///
///                  ┌────┐   ┌───────┐   ┌─────┐   ┌──────┐   ┌─────┐
///     file/stdin ─►│read├──►│prepare├──►│track├─┬►│render├──►│write├─► video file
///                  └────┘ ▲ └───────┘ ▲ └─────┘ │ └──────┘ ▲ └─────┘
///                         │           │         ├►[masks] ─► masks/00000.png …
///                  BoundedQueue(capacity)       └►[tracks] ─► tracks.txt
///
/// - Backpressure: a full queue blocks the stage before it, so a slow stage slows the whole
///   flow and memory stays flat (at most `capacity` items per queue plus one per stage).
/// - Order: one producer per queue, first in first out: items leave in the order they were read.
/// - Fan-out: a port may feed several stages; each gets its own queue and every item.
/// - Failure: the first error thrown by any stage cancels every queue (waking everyone), the
///   loops drain, every stage's `finish(.failed)` removes partial outputs, and `run` throws
///   `PipelineError.stageFailed` once, naming the stage.
/// - Stop: when `StopSignal.stop()` is called (SIGINT) the sources stop reading, the items in
///   flight go through, and every stage's `finish(.interrupted)` keeps its outputs.
///
/// Assemble the graph in one place, then run it:
///
///     let graph = StageGraph(queueCapacity: 4)
///     let frames   = graph.source("read", reader)
///     let prepared = graph.stage("prepare", prepare, input: frames)
///     let labels   = graph.stage("track", tracker, input: prepared)
///     graph.stage("masks", maskSink, input: labels)
///     let rendered = graph.stage("render", renderer, input: labels)
///     graph.stage("write", writer, input: rendered, capacity: 8)
///     let report = try graph.run(stop: .onInterrupt())
///     print(report.formattedStats())
///
/// Adding a stage is writing a type that conforms to `Stage` (an `Input`, an `Output`, a
/// `process`; `start`/`flush`/`finish` when it owns a file) and one `graph.stage(...)` line.
/// Test it alone with `StageHarness`, which drives the same lifecycle on the calling thread.
public final class StageGraph {
    /// The capacity of a queue when `stage(_:_:input:capacity:)` is given none.
    public let queueCapacity: Int
    /// Live statistics, readable from any thread while `run` runs.
    public let monitor = GraphMonitor()

    private let identity = GraphIdentity()
    private var nodes: [any GraphNode] = []
    private var queues: [any CancellableQueue] = []
    private var names: Set<String> = []
    private var hasRun = false

    public init(queueCapacity: Int = 8) {
        self.queueCapacity = max(1, queueCapacity)
    }

    /// Adds the head of a flow. The graph takes the source over; it runs on its own queue.
    @discardableResult
    public func source<S: Source>(_ name: String, _ source: sending S) -> Port<S.Output> {
        let node = SourceNode(name: name, source: source)
        add(node)
        return Port(outlet: node.outlet, graph: identity)
    }

    /// Adds a stage fed by `input`, behind a queue of `capacity` items. The graph takes the
    /// stage over; it runs on its own queue. A stage whose `Output` is `Void` is a sink.
    @discardableResult
    public func stage<S: Stage>(
        _ name: String, _ stage: sending S, input: Port<S.Input>, capacity: Int? = nil
    ) -> Port<S.Output> {
        precondition(input.graph === identity, "stage '\(name)': its input belongs to another graph")
        let queue = input.outlet.connect(capacity: capacity ?? queueCapacity)
        queues.append(queue)
        let node = StageNode(name: name, stage: stage, input: queue)
        add(node)
        return Port(outlet: node.outlet, graph: identity)
    }

    /// Runs every stage until the input ends, a stop is requested, or a stage fails, and returns
    /// once every stage has finished. Call it once.
    /// - Parameter stop: stops reading when signalled (e.g. `StopSignal.onInterrupt()`).
    /// - Returns: the outcome (`.completed` or `.interrupted`) and per-stage statistics.
    /// - Throws: `PipelineError.stageFailed` with the first stage that threw.
    public func run(stop: StopSignal? = nil) throws(PipelineError) -> GraphReport {
        precondition(!hasRun, "a StageGraph runs once")
        hasRun = true
        let run = GraphRun(nodeCount: nodes.count, queues: queues, stop: stop)
        let group = DispatchGroup()
        let started = DispatchTime.now().uptimeNanoseconds
        for node in nodes {
            DispatchQueue(label: "nem.stage.\(node.name)").async(group: group) { node.run(in: run) }
        }
        group.wait()
        let wall = Double(DispatchTime.now().uptimeNanoseconds - started) / 1e9
        if let failure = run.firstFailure { throw failure }
        return GraphReport(outcome: run.finalOutcome, wallSeconds: wall, stages: monitor.snapshot())
    }

    private func add(_ node: any GraphNode) {
        precondition(names.insert(node.name).inserted, "two stages are named '\(node.name)'")
        nodes.append(node)
        monitor.add(node.stats)
    }
}

/// The output of a source or stage in a `StageGraph`: pass it as another stage's `input`.
public struct Port<Element: Sendable> {
    let outlet: Outlet<Element>
    let graph: GraphIdentity
}

/// Tells graphs apart, so a port is only connected within the graph that made it.
final class GraphIdentity {}
