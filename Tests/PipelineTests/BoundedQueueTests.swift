import Foundation
import Pipeline
import XCTest

final class BoundedQueueTests: XCTestCase {
    /// A deadline against hangs only, 10 s from when it is read (not from when XCTest made the test case).
    var hangGuard: DispatchTime { .now() + 10 }

    func testFirstInFirstOutAcrossTheRingBuffer() {
        let queue = BoundedQueue<Int>(capacity: 3)
        var popped: [Int] = []
        for round in 0..<5 {  // wraps around the 3 slots several times
            XCTAssertTrue(queue.push(2 * round))
            XCTAssertTrue(queue.push(2 * round + 1))
            popped.append(queue.pop()!)
            popped.append(queue.pop()!)
        }
        XCTAssertEqual(popped, Array(0..<10))
        XCTAssertEqual(queue.count, 0)
        XCTAssertEqual(queue.peakCount, 2)
    }

    func testAFullQueueBlocksItsProducerUntilTheConsumerTakesOne() {
        let queue = BoundedQueue<Int>(capacity: 2)
        XCTAssertTrue(queue.push(0))
        XCTAssertTrue(queue.push(1))
        let pushed = DispatchSemaphore(value: 0)
        onThread {
            _ = queue.push(2)
            pushed.signal()
        }
        // The producer must still be blocked: the queue is full.
        XCTAssertEqual(pushed.wait(timeout: .now() + 0.05), .timedOut)
        XCTAssertEqual(queue.count, 2)
        XCTAssertEqual(queue.pop(), 0)
        XCTAssertEqual(pushed.wait(timeout: hangGuard), .success)
        XCTAssertEqual(queue.pop(), 1)
        XCTAssertEqual(queue.pop(), 2)
        XCTAssertEqual(queue.peakCount, 2)
    }

    /// A fast producer never gets more than `capacity` items ahead of a slow consumer
    /// (plus the one each side holds in hand).
    func testAFastProducerNeverRunsMoreThanCapacityAheadOfASlowConsumer() {
        let capacity = 4, total = 2_000
        let queue = BoundedQueue<[UInt8]>(capacity: capacity)
        let pushedCount = Shared(0)
        let done = DispatchSemaphore(value: 0)
        onThread {
            for _ in 0..<total {
                _ = queue.push([UInt8](repeating: 7, count: 4096))  // a "frame"
                pushedCount.update { $0 += 1 }
            }
            queue.close()
            done.signal()
        }
        var popped = 0, widestLead = 0
        var checksum: UInt64 = 0
        while let frame = queue.pop() {
            popped += 1
            widestLead = max(widestLead, pushedCount.current - popped)
            if popped % 8 == 0 { checksum &+= spin(microseconds: 50) }  // the slow consumer
            checksum &+= UInt64(frame[0])
        }
        XCTAssertEqual(done.wait(timeout: hangGuard), .success)
        XCTAssertEqual(popped, total)
        XCTAssertLessThanOrEqual(queue.peakCount, capacity)
        XCTAssertLessThanOrEqual(widestLead, capacity + 1)
        XCTAssertEqual(queue.peakCount, capacity, "the slow consumer should have let the queue fill up")
        XCTAssertNotEqual(checksum, 0)
    }

    func testCloseLetsTheConsumerDrainThenEnds() {
        let queue = BoundedQueue<String>(capacity: 4)
        XCTAssertTrue(queue.push("a"))
        XCTAssertTrue(queue.push("b"))
        queue.close()
        XCTAssertFalse(queue.push("c"), "no pushes after close")
        XCTAssertEqual(queue.pop(), "a")
        XCTAssertEqual(queue.pop(), "b")
        XCTAssertNil(queue.pop())
        XCTAssertNil(queue.pop())
    }

    func testCloseWakesABlockedConsumer() {
        let queue = BoundedQueue<Int>(capacity: 1)
        let result = Shared<Int?>(-1)
        let popped = DispatchSemaphore(value: 0)
        onThread {
            let value = queue.pop()
            result.update { $0 = value }
            popped.signal()
        }
        queue.close()
        XCTAssertEqual(popped.wait(timeout: hangGuard), .success)
        XCTAssertNil(result.current)
    }

    func testCancelWakesBlockedProducersAndConsumersAndDropsItems() {
        let full = BoundedQueue<Int>(capacity: 1)
        XCTAssertTrue(full.push(1))
        let empty = BoundedQueue<Int>(capacity: 1)
        let pushResult = Shared<Bool?>(nil), popResult = Shared<Int?>(-1)
        let woken = DispatchSemaphore(value: 0)
        onThread {
            let pushed = full.push(2)
            pushResult.update { $0 = pushed }
            woken.signal()
        }
        onThread {
            let value = empty.pop()
            popResult.update { $0 = value }
            woken.signal()
        }
        full.cancel()
        empty.cancel()
        XCTAssertEqual(woken.wait(timeout: hangGuard), .success)
        XCTAssertEqual(woken.wait(timeout: hangGuard), .success)
        XCTAssertEqual(pushResult.current, false)
        XCTAssertNil(popResult.current)
        XCTAssertNil(full.pop(), "a cancelled queue drops what it held")
        XCTAssertEqual(full.count, 0)
    }

    func testManyProducersAndConsumersLoseAndDuplicateNothing() {
        let queue = BoundedQueue<Int>(capacity: 3)
        let received = Shared<[Int]>([])
        let group = DispatchGroup()
        for producer in 0..<4 {
            onThread(group) {
                for index in 0..<500 { _ = queue.push(producer * 1000 + index) }
            }
        }
        let consumers = DispatchGroup()
        for _ in 0..<3 {
            onThread(consumers) {
                var mine: [Int] = []
                while let value = queue.pop() { mine.append(value) }
                received.update { $0 += mine }
            }
        }
        XCTAssertEqual(group.wait(timeout: hangGuard), .success)
        queue.close()
        XCTAssertEqual(consumers.wait(timeout: hangGuard), .success)
        let expected = (0..<4).flatMap { producer in (0..<500).map { producer * 1000 + $0 } }
        XCTAssertEqual(received.current.sorted(), expected)
        XCTAssertLessThanOrEqual(queue.peakCount, 3)
    }
}
