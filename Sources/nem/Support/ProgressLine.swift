import Foundation

/// A progress bar on a terminal (redrawn at most 10×/s), plain lines otherwise, nothing with --quiet.
///
/// Plain lines come every 10% of a known total, or every `interval` seconds when one is given
/// (and always when the total is unknown, e.g. a video piped in). Without a total the bar shows
/// the count and the rate but no ETA.
struct ProgressLine: Sendable {
    enum Style: Sendable { case bar, lines }

    let label: String
    let unit: String
    let quiet: Bool
    let style: Style
    /// Seconds between plain lines; nil: every 10% of the total.
    let interval: Double?
    private let start = Date()
    private var lastDraw = Date.distantPast
    private var lastDecile = -1

    init(label: String, unit: String, quiet: Bool, style: Style? = nil, interval: Double? = nil) {
        self.label = label; self.unit = unit; self.quiet = quiet
        self.style = style ?? (isatty(STDERR_FILENO) != 0 ? .bar : .lines)
        self.interval = interval
    }

    mutating func update(done: Int, total: Int) {
        update(done: done, total: total > 0 ? Optional(total) : nil)
    }

    mutating func update(done: Int, total: Int?) {
        guard !quiet else { return }
        let now = Date()
        let elapsed = now.timeIntervalSince(start)
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = total.map { rate > 0 ? Double(max(0, $0 - done)) / rate : 0 }
        switch style {
        case .bar:
            guard now.timeIntervalSince(lastDraw) > 0.1 || done == total else { return }
            lastDraw = now
            if let total {
                let filled = min(30, 30 * done / max(total, 1))
                let bar = String(repeating: "█", count: filled) + String(repeating: "·", count: 30 - filled)
                write(String(format: "\r%@ [%@] %d/%d %@  %.0f %@/s  ETA %@ ", label, bar, done, total, unit, rate, unit, clock(eta ?? 0)))
            } else {
                write(String(format: "\r%@ %d %@  %.0f %@/s  %@ ", label, done, unit, rate, unit, clock(elapsed)))
            }
        case .lines:
            if let total, interval == nil {
                let decile = 10 * done / max(total, 1)
                guard decile > lastDecile else { return }
                lastDecile = decile
                write(String(format: "%@: %d/%d %@ (%d%%), %.0f %@/s, ETA %@\n", label, done, total, unit, 10 * decile, rate, unit, clock(eta ?? 0)))
            } else {
                guard now.timeIntervalSince(max(lastDraw, start)) >= (interval ?? 2) else { return }
                lastDraw = now
                let of = total.map { String(format: "/%d", $0) } ?? ""
                let share = total.map { String(format: " (%.0f%%)", 100 * Double(done) / Double(max($0, 1))) } ?? ""
                let left = eta.map { ", ETA " + clock($0) } ?? ""
                write(String(format: "%@: %d%@ %@%@, %.0f %@/s%@\n", label, done, of, unit, share, rate, unit, left))
            }
        }
    }

    func finish() {
        if !quiet && style == .bar { write("\n") }
    }

    private func write(_ text: String) { FileHandle.standardError.write(Data(text.utf8)) }

    private func clock(_ seconds: Double) -> String {
        let s = Int(seconds.rounded())
        return String(format: "%d:%02d", s / 60, s % 60)
    }
}
