import Foundation

/// A first-in first-out queue with a fixed capacity that joins two stages.
///
/// A full queue blocks its producer in `push` and an empty one blocks its consumer in `pop`
/// (on a condition variable, no spinning), so a fast producer can never run more than
/// `capacity` items ahead of a slow consumer and memory stays flat however long the input.
///
/// - `close()` ends the stream: the consumer still receives what is queued, then `nil`.
/// - `cancel()` abandons it: queued items are dropped, every waiter wakes, `push` returns
///   `false` and `pop` returns `nil` from then on.
///
/// Like a channel's high and low watermarks, a producer blocked on a full queue is woken only
/// once the queue has drained to half its capacity, so producer and consumer take turns in
/// runs rather than waking each other for every item.
///
/// Safe to use from any number of producers and consumers.
public final class BoundedQueue<Element: Sendable>: @unchecked Sendable {
    // Everything below `condition` is read and written only while holding it.
    private let condition = NSCondition()
    private var slots: ContiguousArray<Element?>  // ring buffer of `capacity` slots
    private var head = 0
    private var stored = 0
    private var state = State.open
    private var peak = 0
    private var waitingProducers = 0
    private var waitingConsumers = 0

    private enum State { case open, closed, cancelled }

    /// The most items the queue holds at once.
    public let capacity: Int

    /// - Parameter capacity: at least 1 (values below are raised to 1).
    public init(capacity: Int) {
        self.capacity = max(1, capacity)
        slots = ContiguousArray(repeating: nil, count: self.capacity)
    }

    /// Appends `element`, waiting while the queue is full.
    /// - Returns: `false` if the queue was cancelled (or closed) and `element` was dropped.
    public func push(_ element: Element) -> Bool {
        condition.lock()
        defer { condition.unlock() }
        while state == .open && stored == capacity {
            waitingProducers += 1
            condition.wait()
            waitingProducers -= 1
        }
        guard state == .open else { return false }
        slots[(head + stored) % capacity] = element
        stored += 1
        peak = max(peak, stored)
        if waitingConsumers > 0 { condition.broadcast() }
        return true
    }

    /// Removes the oldest element, waiting while the queue is empty and open.
    /// - Returns: `nil` once the queue is closed and empty, or cancelled.
    public func pop() -> Element? {
        condition.lock()
        defer { condition.unlock() }
        while state == .open && stored == 0 {
            waitingConsumers += 1
            condition.wait()
            waitingConsumers -= 1
        }
        guard state != .cancelled, stored > 0 else { return nil }
        let element = slots[head].take()
        head = (head + 1) % capacity
        stored -= 1
        if waitingProducers > 0 && stored <= capacity / 2 { condition.broadcast() }
        return element
    }

    /// Ends the stream: no more pushes; the consumer drains what is queued, then gets `nil`.
    public func close() {
        condition.lock()
        if state == .open { state = .closed }
        condition.broadcast()
        condition.unlock()
    }

    /// Abandons the stream: drops queued elements and wakes every waiting producer and consumer.
    public func cancel() {
        condition.lock()
        state = .cancelled
        for index in slots.indices { slots[index] = nil }
        stored = 0
        condition.broadcast()
        condition.unlock()
    }

    /// Elements queued now.
    public var count: Int { withLock { stored } }

    /// The most elements that were ever queued at once (never more than `capacity`).
    public var peakCount: Int { withLock { peak } }

    private func withLock<T>(_ body: () -> T) -> T {
        condition.lock()
        defer { condition.unlock() }
        return body()
    }
}
