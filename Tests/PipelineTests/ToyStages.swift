import Foundation
import Pipeline

// Small stages over ints and strings that record what the graph did to them.

/// What the stages saw, shared across their queues.
final class Log: @unchecked Sendable {
    private let lock = NSLock()
    private var events: [String] = []  // guarded by `lock`

    func add(_ event: String) {
        lock.lock()
        events.append(event)
        lock.unlock()
    }

    var all: [String] {
        lock.lock()
        defer { lock.unlock() }
        return events
    }

    func count(_ event: String) -> Int { all.filter { $0 == event }.count }
}

/// A value several threads read and write under a lock.
final class Shared<Value: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var value: Value  // guarded by `lock`

    init(_ value: Value) { self.value = value }

    func update<T>(_ body: (inout Value) -> T) -> T {
        lock.lock()
        defer { lock.unlock() }
        return body(&value)
    }

    var current: Value { update { $0 } }
}

struct Boom: Error, CustomStringConvertible {
    let what: String
    var description: String { "boom: \(what)" }
}

/// 0, 1, 2, … up to `count` (endless when nil); throws at `failAt`; counts each item produced.
struct Numbers: Source {
    var count: Int?
    var failAt: Int?
    let log: Log
    var produced: Shared<Int>?
    private var current = 0

    init(count: Int?, failAt: Int? = nil, log: Log, produced: Shared<Int>? = nil) {
        self.count = count
        self.failAt = failAt
        self.log = log
        self.produced = produced
    }

    mutating func next() throws -> Int? {
        if let count, current >= count { return nil }
        if current == failAt { throw Boom(what: "numbers at \(current)") }
        defer { current += 1 }
        produced?.update { $0 += 1 }
        return current
    }

    func flush() throws { log.add("numbers flush") }
    func finish(_ outcome: GraphOutcome) throws { log.add("numbers finish \(outcome)") }
}

/// Applies `body` to each item; can be told to throw in start, flush or finish.
struct Map<Input: Sendable, Output: Sendable>: Stage {
    let name: String
    let log: Log
    var failIn: Set<String> = []
    let body: @Sendable (Input) throws -> Output

    func start() throws {
        if failIn.contains("start") { throw Boom(what: "\(name) start") }
    }

    func process(_ input: Input) throws -> Output { try body(input) }

    func flush() throws {
        log.add("\(name) flush")
        if failIn.contains("flush") { throw Boom(what: "\(name) flush") }
    }

    func finish(_ outcome: GraphOutcome) throws {
        log.add("\(name) finish \(outcome)")
        if failIn.contains("finish") { throw Boom(what: "\(name) finish") }
    }
}

/// A sink that keeps every item it gets, in order.
struct Collect<Input: Sendable>: Stage {
    let name: String
    let log: Log
    let items = Shared<[Input]>([])

    func process(_ input: Input) { items.update { $0.append(input) } }
    func finish(_ outcome: GraphOutcome) { log.add("\(name) finish \(outcome)") }
}

/// A sink with a real output: lines go to a temporary file beside `url`, renamed to `url` when
/// the graph keeps its outputs and removed when it failed. A class, as stages owning files are.
final class LinesFile: Stage {
    let url: URL
    let log: Log
    private var handle: FileHandle?
    var partialURL: URL {
        url.deletingLastPathComponent().appendingPathComponent("." + url.lastPathComponent + ".partial")
    }

    init(url: URL, log: Log) {
        self.url = url
        self.log = log
    }

    func start() throws {
        guard FileManager.default.createFile(atPath: partialURL.path, contents: nil) else {
            throw Boom(what: "cannot create \(partialURL.path)")
        }
        handle = try FileHandle(forWritingTo: partialURL)
    }

    func process(_ line: String) throws {
        try handle?.write(contentsOf: Data((line + "\n").utf8))
    }

    func finish(_ outcome: GraphOutcome) throws {
        try handle?.close()
        handle = nil
        log.add("lines finish \(outcome)")
        if outcome.keepsOutputs {
            try FileManager.default.moveItem(at: partialURL, to: url)
        } else {
            try? FileManager.default.removeItem(at: partialURL)
        }
    }
}

/// A fresh empty directory for one test.
func temporaryDirectory() throws -> URL {
    let url = FileManager.default.temporaryDirectory
        .appendingPathComponent("PipelineTests-\(UUID().uuidString)")
    try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
    return url
}

/// Busy work for about `microseconds` that the optimiser cannot remove.
@inline(never)
func spin(microseconds: Double) -> UInt64 {
    let end = DispatchTime.now().uptimeNanoseconds + UInt64(microseconds * 1000)
    var state: UInt64 = 0x9E37_79B9_7F4A_7C15
    while DispatchTime.now().uptimeNanoseconds < end {
        state = state &* 6_364_136_223_846_793_005 &+ 1
    }
    return state
}

/// Runs `body` on a thread of its own, then signals `group`. Blocking test threads do not go
/// through Dispatch's global queues, whose pool grows only slowly when its threads block.
func onThread(_ group: DispatchGroup? = nil, _ body: @escaping @Sendable () -> Void) {
    group?.enter()
    let thread = Thread {
        body()
        group?.leave()
    }
    thread.start()
}
