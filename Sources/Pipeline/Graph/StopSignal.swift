import Dispatch
import Foundation

/// Asks a running graph to stop reading: the sources stop at their next item, the items in
/// flight go through, and every stage finishes with `.interrupted` (outputs are kept).
public final class StopSignal: @unchecked Sendable {
    // `stopped` and `sources` are read and written only while holding `lock`.
    private let lock = NSLock()
    private var stopped = false
    private var sources: [any DispatchSourceSignal] = []

    public init() {}

    /// Requests the stop; safe to call from any thread, any number of times.
    public func stop() {
        lock.lock()
        stopped = true
        lock.unlock()
    }

    /// Whether `stop()` was called.
    public var isStopped: Bool {
        lock.lock()
        defer { lock.unlock() }
        return stopped
    }

    /// A signal that stops on SIGINT and SIGTERM. A second SIGINT ends the process at once,
    /// as the user expects when a run does not stop quickly enough.
    public static func onInterrupt() -> StopSignal {
        let signal = StopSignal()
        signal.listen(to: [SIGINT, SIGTERM])
        return signal
    }

    /// Stops when one of `signals` arrives (their default action is replaced while this lives).
    /// Returns once the sources are registered: a signal raised right after is not lost (dispatch
    /// registers a source asynchronously, and until then the signal is ignored).
    public func listen(to signals: [Int32]) {
        for number in signals {
            Foundation.signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { [weak self] in self?.received(number) }
            let registered = DispatchSemaphore(value: 0)
            source.setRegistrationHandler { registered.signal() }
            source.resume()
            _ = registered.wait(timeout: .now() + 2)
            lock.lock()
            sources.append(source)
            lock.unlock()
        }
    }

    private func received(_ number: Int32) {
        let again = isStopped
        stop()
        if again && number == SIGINT {
            Foundation.signal(SIGINT, SIG_DFL)
            raise(SIGINT)
        }
    }

    deinit {
        for source in sources {
            source.cancel()
            Foundation.signal(Int32(source.handle), SIG_DFL)
        }
    }
}
