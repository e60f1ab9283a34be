import Dispatch

/// A destination pointer handed to several workers; safe because each index is written by exactly one worker.
private struct DisjointSlots<T>: @unchecked Sendable { let base: UnsafeMutablePointer<T> }

/// `(0..<count).map(transform)` on `workers` threads (worker w takes every w-th index);
/// the result is the same whatever the number of workers.
func parallelMap<T>(_ count: Int, workers: Int, _ transform: @Sendable (Int) -> T) -> [T] {
    guard count > 0 else { return [] }
    let workers = max(1, min(workers, count))
    return [T](unsafeUninitializedCapacity: count) { buffer, initialized in
        let slots = DisjointSlots(base: buffer.baseAddress!)
        DispatchQueue.concurrentPerform(iterations: workers) { w in
            for i in stride(from: w, to: count, by: workers) { (slots.base + i).initialize(to: transform(i)) }
        }
        initialized = count
    }
}
