import Dispatch
import Foundation

/// What one stage did during a run. Times are in seconds.
public struct StageStats: Sendable, Equatable {
    public var name: String
    /// Items processed (for a source: items produced).
    public var frames = 0
    /// Time inside the stage's own code: `start`, `process`/`next`, `flush`, `finish`.
    public var busy = 0.0
    /// CPU time (user + system) of the stage's thread over the whole run, known once it ended.
    /// Below `busy` when other threads (an encoder's, another program's) took the cores from it.
    public var cpu = 0.0
    /// Time blocked waiting for the stage before it (an empty input queue).
    public var waitingForInput = 0.0
    /// Time blocked waiting for the stages after it (a full output queue).
    public var waitingForOutput = 0.0
    /// Capacity of the queue in front of the stage; `nil` for a source.
    public var queueCapacity: Int?
    /// The most items that waited in that queue at once.
    public var queuePeak: Int?

    public init(name: String) { self.name = name }

    /// Mean busy time per item, in milliseconds.
    public var millisecondsPerFrame: Double { frames > 0 ? busy * 1000 / Double(frames) : 0 }
}

/// The result of a graph run that did not fail.
public struct GraphReport: Sendable {
    public var outcome: GraphOutcome
    /// Wall-clock time of the whole run, in seconds.
    public var wallSeconds: Double
    /// One entry per stage, in the order they were added.
    public var stages: [StageStats]

    /// The stage that limits throughput: the one busy for the longest time.
    public var bottleneck: StageStats? { stages.max { $0.busy < $1.busy } }

    /// The `--stats` table: per stage, frames, busy time, the share of the wall time it was
    /// busy, its thread's CPU time, time blocked on input and output, and how full its queue got. The bottleneck is
    /// marked; the stages before it are typically blocked on output, those after it on input.
    public func formattedStats() -> String {
        let header = ["stage", "frames", "busy s", "ms/frame", "busy %", "cpu s", "wait in s", "wait out s", "queue"]
        var rows = [header]
        let slowest = bottleneck?.name
        for stage in stages {
            let share = wallSeconds > 0 ? 100 * stage.busy / wallSeconds : 0
            let queue = stage.queueCapacity.map { "\(stage.queuePeak ?? 0)/\($0)" } ?? "-"
            rows.append([
                stage.name + (stage.name == slowest ? " *" : ""),
                "\(stage.frames)",
                fixed(stage.busy, 3),
                fixed(stage.millisecondsPerFrame, 3),
                fixed(share, 1),
                fixed(stage.cpu, 3),
                fixed(stage.waitingForInput, 3),
                fixed(stage.waitingForOutput, 3),
                queue,
            ])
        }
        let widths = header.indices.map { column in rows.map { $0[column].count }.max() ?? 0 }
        var lines = rows.map { row in
            row.indices.map { column in
                let cell = row[column]
                let padding = String(repeating: " ", count: widths[column] - cell.count)
                return column == 0 ? cell + padding : padding + cell
            }.joined(separator: "  ")
        }
        let frames = stages.last?.frames ?? 0
        let fps = wallSeconds > 0 ? Double(frames) / wallSeconds : 0
        lines.append("wall \(fixed(wallSeconds, 3)) s, \(fixed(fps, 1)) frames/s"
            + (slowest.map { "; * bottleneck: \($0)" } ?? ""))
        return lines.joined(separator: "\n")
    }
}

private func fixed(_ value: Double, _ digits: Int) -> String {
    String(format: "%.\(digits)f", value)
}

/// Live statistics of a graph, readable from any thread while it runs (e.g. by a progress timer).
public final class GraphMonitor: @unchecked Sendable {
    // `cells` is appended to while the graph is built and only read afterwards; `lock` guards it.
    private let lock = NSLock()
    private var cells: [StatsCell] = []

    init() {}

    func add(_ cell: StatsCell) {
        lock.lock()
        cells.append(cell)
        lock.unlock()
    }

    /// Statistics of every stage so far, in the order they were added.
    public func snapshot() -> [StageStats] {
        lock.lock()
        let current = cells
        lock.unlock()
        return current.map { $0.snapshot() }
    }
}

/// One stage's counters: written by the stage's own queue, read by anyone.
final class StatsCell: @unchecked Sendable {
    private let lock = NSLock()
    private var stats: StageStats  // guarded by `lock`
    private let peak: (@Sendable () -> Int)?

    init(name: String, queueCapacity: Int?, peak: (@Sendable () -> Int)?) {
        var stats = StageStats(name: name)
        stats.queueCapacity = queueCapacity
        self.stats = stats
        self.peak = peak
    }

    func record(_ update: (inout StageStats) -> Void) {
        lock.lock()
        update(&stats)
        lock.unlock()
    }

    func snapshot() -> StageStats {
        lock.lock()
        var copy = stats
        lock.unlock()
        copy.queuePeak = peak?()
        return copy
    }
}

/// CPU seconds (user + system) the calling thread has used so far.
func threadCPUTime() -> Double {
    var time = timespec()
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &time)
    return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
}

/// Seconds spent in `body`, added to a running total.
@inline(__always)
func timed<T>(_ total: inout Double, _ body: () throws -> T) rethrows -> T {
    let start = DispatchTime.now().uptimeNanoseconds
    defer { total += Double(DispatchTime.now().uptimeNanoseconds - start) / 1e9 }
    return try body()
}
