/// How a graph run ended; every stage's `finish` is told, so outputs are kept or removed.
public enum GraphOutcome: Sendable, Equatable {
    /// The source reached the end of its input and every item went through.
    case completed
    /// Reading stopped on request (SIGINT); the items in flight went through.
    case interrupted
    /// A stage threw; the graph was cancelled and drained.
    case failed

    /// Whether outputs should be made final (renamed from their temporary name) rather than removed.
    public var keepsOutputs: Bool { self != .failed }
}

/// One step of the flow: takes an `Input`, gives one `Output`, in order.
///
/// The graph moves a stage onto its own serial queue and calls it only from there, so a stage
/// may hold non-`Sendable` state (an encoder, a tracker's θ) without locks. Its lifecycle:
///
///     start() → process(_:) × n → flush() → finish(outcome)
///
/// - `start` runs once on the stage's queue before the first item (open files here).
/// - `process` runs once per item, in order. A stage whose `Output` is `Void` is a sink.
/// - `flush` runs when the input ended normally or by request: push out anything buffered,
///   write trailers. It is skipped when the graph failed.
/// - `finish` runs once, after *every* stage has stopped, with how the graph ended: make
///   outputs final when `outcome.keepsOutputs`, otherwise remove partial outputs.
///
/// An error thrown from `start`, `process` or `flush` fails the whole graph with this stage's
/// name. An error from `finish` fails it too when outputs were to be kept (other stages may
/// already have made theirs final), and is ignored when the graph had already failed.
public protocol Stage {
    associatedtype Input: Sendable
    associatedtype Output: Sendable

    mutating func start() throws
    mutating func process(_ input: Input) throws -> Output
    mutating func flush() throws
    mutating func finish(_ outcome: GraphOutcome) throws
}

/// The head of the flow: produces items until its input ends (`nil`).
///
/// Same lifecycle and threading as `Stage`: `start() → next() × n → flush() → finish(outcome)`.
/// The graph asks for the next item only while no stop was requested, so `next` should
/// return promptly (one frame) rather than wait indefinitely.
public protocol Source {
    associatedtype Output: Sendable

    mutating func start() throws
    /// The next item, or `nil` at the end of the input.
    mutating func next() throws -> Output?
    mutating func flush() throws
    mutating func finish(_ outcome: GraphOutcome) throws
}

extension Stage {
    public mutating func start() throws {}
    public mutating func flush() throws {}
    public mutating func finish(_ outcome: GraphOutcome) throws {}
}

extension Source {
    public mutating func start() throws {}
    public mutating func flush() throws {}
    public mutating func finish(_ outcome: GraphOutcome) throws {}
}
