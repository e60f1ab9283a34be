import Foundation
import Pipeline
import XCTest

/// Each toy stage alone, on the test's thread, through the lifecycle the graph gives it.
final class StageHarnessTests: XCTestCase {
    func testAStageRunsItsWholeLifecycle() throws {
        let log = Log()
        var harness = StageHarness(Map(name: "text", log: log) { (n: Int) in "<\(n)>" })
        XCTAssertEqual(try harness.run([3, 1, 2]), ["<3>", "<1>", "<2>"])
        XCTAssertEqual(log.all, ["text flush", "text finish completed"])
    }

    func testStepByStepAndAnInterruptedEnd() throws {
        let log = Log()
        var harness = StageHarness(Map(name: "square", log: log) { (n: Int) in n * n })
        try harness.start()
        XCTAssertEqual(try harness.feed(4), 16)
        XCTAssertEqual(try harness.feed(5), 25)
        try harness.finish(.interrupted)
        XCTAssertEqual(log.all, ["square flush", "square finish interrupted"])
    }

    func testAFailingItemEndsTheStageWithFailedAndNoFlush() throws {
        let log = Log()
        var harness = StageHarness(Map(name: "check", log: log) { (n: Int) in
            if n < 0 { throw Boom(what: "negative") }
            return n
        })
        XCTAssertThrowsError(try harness.run([1, -1, 2])) { XCTAssertEqual("\($0)", "boom: negative") }
        XCTAssertEqual(log.all, ["check finish failed"])
    }

    func testAFileSinkKeepsItsOutputOnlyWhenTheRunSucceeds() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: directory) }
        let kept = directory.appendingPathComponent("kept.txt")
        var good = StageHarness(LinesFile(url: kept, log: Log()))
        _ = try good.run(["a", "b"])
        XCTAssertEqual(try String(contentsOf: kept, encoding: .utf8), "a\nb\n")

        let dropped = directory.appendingPathComponent("dropped.txt")
        var bad = StageHarness(LinesFile(url: dropped, log: Log()))
        _ = try bad.feed("a")
        XCTAssertTrue(FileManager.default.fileExists(atPath: bad.stage.partialURL.path))
        try bad.finish(.failed)
        XCTAssertEqual(try FileManager.default.contentsOfDirectory(atPath: directory.path), ["kept.txt"])
    }

    func testASourceRunsToItsEndOrToALimit() throws {
        let log = Log()
        var all = SourceHarness(Numbers(count: 5, log: log))
        XCTAssertEqual(try all.run(), [0, 1, 2, 3, 4])
        XCTAssertEqual(log.all, ["numbers flush", "numbers finish completed"])

        let limited = Log()
        var endless = SourceHarness(Numbers(count: nil, log: limited))
        XCTAssertEqual(try endless.run(limit: 3), [0, 1, 2])
        XCTAssertEqual(limited.all, ["numbers flush", "numbers finish interrupted"])

        let failing = Log()
        var broken = SourceHarness(Numbers(count: nil, failAt: 2, log: failing))
        XCTAssertThrowsError(try broken.run())
        XCTAssertEqual(failing.all, ["numbers finish failed"])
    }
}
