/// Drives one `Stage` on the calling thread through the lifecycle a `StageGraph` gives it,
/// so a stage can be tested alone, without queues or threads (like swift-nio's
/// `EmbeddedChannel`):
///
///     var harness = StageHarness(PrepareStage(size: 28))
///     let outputs = try harness.run(frames)      // start, process each, flush, finish(.completed)
///
/// or step by step with `start()`, `feed(_:)` and `finish(_:)`. Calls out of lifecycle order
/// are programming errors and stop the test.
public struct StageHarness<S: Stage> {
    /// The stage, to inspect its state between steps.
    public private(set) var stage: S
    private var phase = Phase.idle

    public init(_ stage: S) { self.stage = stage }

    /// Calls `start`.
    public mutating func start() throws {
        precondition(phase == .idle, "start: the stage already started")
        phase = .started
        try stage.start()
    }

    /// Calls `process` with one input (after `start`, which it calls first if needed).
    public mutating func feed(_ input: S.Input) throws -> S.Output {
        if phase == .idle { try start() }
        precondition(phase == .started, "feed: the stage already finished")
        return try stage.process(input)
    }

    /// Ends the stage as the graph does: `flush` unless the outcome is `.failed`, then `finish`.
    /// When `flush` throws, `finish(.failed)` follows, as in a graph, and the error is rethrown.
    public mutating func finish(_ outcome: GraphOutcome = .completed) throws {
        precondition(phase != .finished, "finish: the stage already finished")
        if phase == .idle { try start() }
        phase = .finished
        if outcome.keepsOutputs {
            do { try stage.flush() } catch {
                try? stage.finish(.failed)
                throw error
            }
        }
        try stage.finish(outcome)
    }

    /// The whole lifecycle over `inputs`. If a step throws, the stage gets `finish(.failed)`
    /// (as in a graph) and the error is rethrown.
    public mutating func run(_ inputs: [S.Input]) throws -> [S.Output] {
        var outputs: [S.Output] = []
        do {
            for input in inputs { outputs.append(try feed(input)) }
        } catch {
            if phase != .finished {
                phase = .finished
                try? stage.finish(.failed)
            }
            throw error
        }
        try finish(.completed)
        return outputs
    }
}

/// Drives one `Source` on the calling thread through the lifecycle a `StageGraph` gives it.
public struct SourceHarness<S: Source> {
    /// The source, to inspect its state between steps.
    public private(set) var source: S

    public init(_ source: S) { self.source = source }

    /// `start`, then `next` until the end of the input (or `limit` items, as a stop request
    /// would), then `flush` and `finish` with `.completed` (or `.interrupted` when the limit
    /// cut it short). If a step throws, the source gets `finish(.failed)` and it is rethrown.
    public mutating func run(limit: Int = .max) throws -> [S.Output] {
        var items: [S.Output] = []
        var outcome = GraphOutcome.completed
        do {
            try source.start()
            while true {
                if items.count == limit {
                    outcome = .interrupted
                    break
                }
                guard let item = try source.next() else { break }
                items.append(item)
            }
            try source.flush()
        } catch {
            try? source.finish(.failed)
            throw error
        }
        try source.finish(outcome)
        return items
    }
}

private enum Phase { case idle, started, finished }
