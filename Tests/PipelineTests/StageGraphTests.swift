import Foundation
import Pipeline
import XCTest

final class StageGraphTests: XCTestCase {
    func testItemsFlowInOrderThroughStagesAndFanOutToEverySink() throws {
        let log = Log()
        let graph = StageGraph(queueCapacity: 3)
        let numbers = graph.source("numbers", Numbers(count: 1_000, log: log))
        let doubled = graph.stage("double", Map(name: "double", log: log) { (n: Int) in 2 * n }, input: numbers)
        let texts = graph.stage("text", Map(name: "text", log: log) { (n: Int) in "#\(n)" }, input: doubled)
        let allDoubled = Collect<Int>(name: "ints", log: log)
        let allTexts = Collect<String>(name: "strings", log: log)
        graph.stage("ints", allDoubled, input: doubled, capacity: 1)
        graph.stage("strings", allTexts, input: texts)

        let report = try graph.run()

        XCTAssertEqual(report.outcome, .completed)
        XCTAssertEqual(allDoubled.items.current, (0..<1_000).map { 2 * $0 })
        XCTAssertEqual(allTexts.items.current, (0..<1_000).map { "#\(2 * $0)" })
        XCTAssertEqual(report.stages.map(\.name), ["numbers", "double", "text", "ints", "strings"])
        XCTAssertEqual(report.stages.map(\.frames), [1_000, 1_000, 1_000, 1_000, 1_000])
        XCTAssertEqual(report.stages.map(\.queueCapacity), [nil, 3, 3, 1, 3])
        for stage in report.stages.dropFirst() {
            XCTAssertLessThanOrEqual(stage.queuePeak ?? .max, stage.queueCapacity ?? 0, stage.name)
        }
        for event in ["numbers flush", "double flush", "text flush"] { XCTAssertEqual(log.count(event), 1, event) }
        for name in ["numbers", "double", "text", "ints", "strings"] {
            XCTAssertEqual(log.count("\(name) finish completed"), 1, name)
        }
    }

    /// Every queue full and every stage holding one item is the most that can be in flight.
    func testMemoryStaysBoundedWhenTheLastStageIsSlow() throws {
        let log = Log(), produced = Shared(0), consumed = Shared(0), widestLead = Shared(0)
        let graph = StageGraph(queueCapacity: 2)
        let numbers = graph.source("numbers", Numbers(count: 400, log: log, produced: produced))
        let a = graph.stage("a", Map(name: "a", log: log) { (n: Int) in n }, input: numbers)
        let b = graph.stage("b", Map(name: "b", log: log) { (n: Int) in n }, input: a)
        graph.stage("slow", Map(name: "slow", log: log) { (n: Int) in
            _ = spin(microseconds: 200)
            let done = consumed.update { $0 += 1; return $0 }
            let lead = produced.current - done
            widestLead.update { $0 = max($0, lead) }
        }, input: b)

        let report = try graph.run()

        XCTAssertEqual(consumed.current, 400)
        // 3 queues of 2, plus one item in hand in each of the 3 stages after the source.
        XCTAssertLessThanOrEqual(widestLead.current, 3 * 2 + 3)
        XCTAssertEqual(report.stages.first { $0.name == "slow" }?.queuePeak, 2, "the slow stage's queue fills up")
        XCTAssertEqual(report.bottleneck?.name, "slow")
        XCTAssertGreaterThan(report.stages[0].waitingForOutput, 0, "the source waits on the full queue")
    }

    func testTheFirstErrorCancelsTheGraphAndReachesTheCallerOnceWithTheStageName() throws {
        let log = Log()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("lines.txt")
        let graph = StageGraph(queueCapacity: 4)
        let numbers = graph.source("numbers", Numbers(count: nil, log: log))  // endless
        let checked = graph.stage("check", Map(name: "check", log: log) { (n: Int) in
            if n == 100 { throw Boom(what: "item 100") }
            return n
        }, input: numbers)
        let text = graph.stage("text", Map(name: "text", log: log) { (n: Int) in "\(n)" }, input: checked)
        let lines = LinesFile(url: output, log: log)
        graph.stage("lines", lines, input: text)
        // A sink whose finish throws too: a consequence, not the error to report.
        var noisy = Map(name: "noisy", log: log) { (_: Int) in () }
        noisy.failIn = ["finish"]
        graph.stage("noisy", noisy, input: checked)

        XCTAssertThrowsError(try graph.run()) { error in
            guard case let PipelineError.stageFailed(stage, underlying) = error else {
                return XCTFail("unexpected \(error)")
            }
            XCTAssertEqual(stage, "check")
            XCTAssertEqual((underlying as? Boom)?.what, "item 100")
            XCTAssertEqual("\(error)", "check: boom: item 100")
            XCTAssertEqual((error as? PipelineError)?.exitCode, 1)
        }
        // Every stage was told, once, and only with `.failed`; nobody flushed.
        for name in ["numbers", "check", "text", "lines", "noisy"] {
            XCTAssertEqual(log.count("\(name) finish failed"), 1, name)
        }
        XCTAssertFalse(log.all.contains { $0.hasSuffix("flush") || $0.hasSuffix("completed") }, "\(log.all)")
        // No output under the final name, and the partial output is gone.
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), [])
        XCTAssertEqual(graph.monitor.snapshot().first { $0.name == "check" }?.frames, 100)
    }

    func testASourceErrorNamesTheSource() {
        let log = Log()
        let graph = StageGraph()
        let numbers = graph.source("read", Numbers(count: nil, failAt: 7, log: log))
        let sink = Collect<Int>(name: "sink", log: log)
        graph.stage("sink", sink, input: numbers)
        XCTAssertThrowsError(try graph.run()) { error in
            XCTAssertEqual("\(error)", "read: boom: numbers at 7")
        }
        XCTAssertEqual(log.count("sink finish failed"), 1)
        XCTAssertLessThanOrEqual(sink.items.current.count, 7)
    }

    func testAStartErrorStopsAnEndlessSource() {
        let log = Log()
        let graph = StageGraph(queueCapacity: 2)
        let numbers = graph.source("numbers", Numbers(count: nil, log: log))
        var broken = Map(name: "open", log: log) { (_: Int) in () }
        broken.failIn = ["start"]
        graph.stage("open", broken, input: numbers)
        XCTAssertThrowsError(try graph.run()) { error in
            XCTAssertEqual("\(error)", "open: boom: open start")
        }
        XCTAssertEqual(log.all.sorted(), ["numbers finish failed", "open finish failed"])
    }

    func testAFlushErrorFailsTheGraph() {
        let log = Log()
        let graph = StageGraph()
        let numbers = graph.source("numbers", Numbers(count: 10, log: log))
        var encoder = Map(name: "encode", log: log) { (n: Int) in n }
        encoder.failIn = ["flush"]
        let encoded = graph.stage("encode", encoder, input: numbers)
        graph.stage("sink", Collect<Int>(name: "sink", log: log), input: encoded)
        XCTAssertThrowsError(try graph.run()) { error in
            XCTAssertEqual("\(error)", "encode: boom: encode flush")
        }
        XCTAssertEqual(log.count("sink finish failed"), 1)
        XCTAssertEqual(log.count("numbers finish failed"), 1)
    }

    func testAFinishErrorWhileKeepingOutputsFailsTheGraph() {
        let log = Log()
        let graph = StageGraph()
        let numbers = graph.source("numbers", Numbers(count: 10, log: log))
        var rename = Map(name: "rename", log: log) { (_: Int) in () }
        rename.failIn = ["finish"]
        graph.stage("rename", rename, input: numbers)
        XCTAssertThrowsError(try graph.run()) { error in
            XCTAssertEqual("\(error)", "rename: boom: rename finish")
        }
    }

    /// A stop (SIGINT) ends reading; what was read goes through and every output is kept.
    func testAStopRequestLetsFramesInFlightFinishAndKeepsOutputs() throws {
        let log = Log()
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let output = directory.appendingPathComponent("lines.txt")
        let stop = StopSignal()
        let graph = StageGraph(queueCapacity: 4)
        let numbers = graph.source("numbers", Numbers(count: nil, log: log))  // endless
        let text = graph.stage("text", Map(name: "text", log: log) { (n: Int) in
            if n == 50 { stop.stop() }  // as if SIGINT arrived while frame 50 was in flight
            return "\(n)"
        }, input: numbers)
        graph.stage("lines", LinesFile(url: output, log: log), input: text)

        let report = try graph.run(stop: stop)

        XCTAssertEqual(report.outcome, .interrupted)
        let lines = try String(contentsOf: output, encoding: .utf8).split(separator: "\n").map(String.init)
        XCTAssertGreaterThan(lines.count, 50)
        XCTAssertEqual(lines, (0..<lines.count).map { "\($0)" }, "a gapless prefix, in order")
        XCTAssertEqual(report.stages.map(\.frames), [lines.count, lines.count, lines.count])
        XCTAssertEqual(log.count("numbers flush"), 1)
        XCTAssertEqual(log.count("lines finish interrupted"), 1)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["lines.txt"])
    }

    func testAStopBeforeTheRunReadsNothing() throws {
        let log = Log()
        let stop = StopSignal()
        stop.stop()
        let graph = StageGraph()
        let sink = Collect<Int>(name: "sink", log: log)
        graph.stage("sink", sink, input: graph.source("numbers", Numbers(count: nil, log: log)))
        let report = try graph.run(stop: stop)
        XCTAssertEqual(report.outcome, .interrupted)
        XCTAssertEqual(sink.items.current, [])
        XCTAssertEqual(log.count("sink finish interrupted"), 1)
    }

    func testSIGINTRequestsAStop() {
        let stop = StopSignal.onInterrupt()
        XCTAssertFalse(stop.isStopped)
        raise(SIGINT)
        let deadline = Date().addingTimeInterval(10)  // a guard against hangs only
        while !stop.isStopped && Date() < deadline { usleep(1_000) }
        XCTAssertTrue(stop.isStopped)
    }

    /// Dispatch must give each stage a thread even when stages outnumber the cores and block.
    func testALongChainOfBlockingStagesRunsPromptly() throws {
        let log = Log()
        let graph = StageGraph(queueCapacity: 1)
        var port = graph.source("numbers", Numbers(count: 2_000, log: log))
        for index in 0..<16 {
            port = graph.stage("s\(index)", Map(name: "s\(index)", log: log) { (n: Int) in n + 1 }, input: port)
        }
        let sink = Collect<Int>(name: "sink", log: log)
        graph.stage("sink", sink, input: port)
        let started = Date()
        _ = try graph.run()
        XCTAssertEqual(sink.items.current, (0..<2_000).map { $0 + 16 })
        XCTAssertLessThan(Date().timeIntervalSince(started), 20)
    }

    func testStatsShowTheBottleneck() throws {
        let log = Log()
        let graph = StageGraph(queueCapacity: 2)
        let numbers = graph.source("read", Numbers(count: 60, log: log))
        let tracked = graph.stage("track", Map(name: "track", log: log) { (n: Int) -> Int in
            _ = spin(microseconds: 1_000)
            return n
        }, input: numbers)
        graph.stage("write", Collect<Int>(name: "write", log: log), input: tracked)

        let report = try graph.run()

        let track = try XCTUnwrap(report.stages.first { $0.name == "track" })
        XCTAssertEqual(report.bottleneck?.name, "track")
        XCTAssertGreaterThanOrEqual(track.busy, 0.06)
        XCTAssertGreaterThan(track.millisecondsPerFrame, 0.9)
        XCTAssertGreaterThan(report.stages[2].waitingForInput, report.stages[2].busy, "write waits for track")
        let table = report.formattedStats()
        let lines = table.split(separator: "\n")
        XCTAssertEqual(lines.count, 5, table)
        XCTAssertTrue(lines[0].hasPrefix("stage"), table)
        XCTAssertTrue(lines[2].hasPrefix("track *"), table)
        XCTAssertTrue(lines[4].contains("bottleneck: track"), table)
    }
}
