import Foundation

/// A progress bar on a terminal (redrawn at most 10×/s), plain lines every 10% otherwise, nothing with --quiet.
struct ProgressLine {
    let label: String
    let unit: String
    let quiet: Bool
    private let isTerminal = isatty(STDERR_FILENO) != 0
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastDecile = -1

    init(label: String, unit: String, quiet: Bool) {
        self.label = label; self.unit = unit; self.quiet = quiet
    }

    mutating func update(done: Int, total: Int) {
        guard !quiet, total > 0 else { return }
        let elapsed = Date().timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        if isTerminal {
            guard Date().timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            lastDraw = Date()
            let filled = 30 * done / total
            let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
            write(String(format: "\r%@ [%@] %d/%d %@  %.0f %@/s  ETA %@ ", label, bar, done, total, unit, rate, unit, clock(eta)))
        } else {
            let decile = 10 * done / total
            guard decile > lastDecile else { return }
            lastDecile = decile
            write(String(format: "%@: %d/%d %@ (%d%%), %.0f %@/s, ETA %@\n", label, done, total, unit, 10 * decile, rate, unit, clock(eta)))
        }
    }

    func finish() {
        if !quiet && isTerminal { write("\n") }
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    private func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
