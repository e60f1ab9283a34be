import ArgumentParser
import Dispatch
import Foundation
import Pipeline

/// Runs a built `TrackingPipeline` for the command line: progress while it runs (polled from the
/// graph's monitor), Ctrl-C to stop with a playable file, then the summary and `--stats`.
struct TrackRun {
    let pipeline: TrackingPipeline
    let quiet: Bool

    func run() throws {
        let config = pipeline.config
        let display = config.progress.display
        let silent = quiet || display == .none
        let style: ProgressLine.Style? = display == .bar ? .bar : display == .lines ? .lines : nil
        let progress = ProgressLine(label: "tracking", unit: "frames", quiet: silent, style: style,
                                    interval: config.progress.interval)
        let total = pipeline.reader.frameCount
        let monitor = pipeline.monitor
        let done = StopSignal()
        let finished = DispatchSemaphore(value: 0)
        let poller = Thread {
            var line = progress
            while !done.isStopped {
                line.update(done: monitor.written, total: total)
                Thread.sleep(forTimeInterval: 0.1)
            }
            line.update(done: monitor.written, total: total)
            line.finish()
            finished.signal()
        }
        poller.start()
        let report: GraphReport
        do {
            report = try pipeline.run(stop: .onInterrupt())
            done.stop()
            finished.wait()
        } catch {
            done.stop()
            finished.wait()
            throw error
        }
        if !silent { print(summary(report)) }
        for warning in pipeline.reader.warnings { FileHandle.standardError.write(Data("warning: \(warning)\n".utf8)) }
        if config.progress.stats { FileHandle.standardError.write(Data((report.formattedStats() + "\n").utf8)) }
        if report.outcome == .interrupted { throw ExitCode(130) }
    }

    private func summary(_ report: GraphReport) -> String {
        let config = pipeline.config
        let frames = report.stages.first { $0.name == "write" }?.frames ?? 0
        let fps = report.wallSeconds > 0 ? Double(frames) / report.wallSeconds : 0
        let (width, height) = pipeline.outputSize
        var lines = [String(format: "%@ %d frames in %.1f s (%.1f frames/s), K = %d, model %@",
                            report.outcome == .interrupted ? "interrupted after" : "tracked",
                            frames, report.wallSeconds, fps, pipeline.components, config.tracker.model)]
        lines.append("video:  \(pipeline.outputPath) (\(width)×\(height), \(config.output.mode.rawValue))")
        if let masks = config.output.masks { lines.append("masks:  \(masks)/ (\(frames) PNGs)") }
        if let tracks = config.output.tracks { lines.append("tracks: \(tracks)") }
        return lines.joined(separator: "\n")
    }
}

extension GraphMonitor {
    /// Frames the video writer has encoded so far.
    var written: Int { snapshot().first { $0.name == "write" }?.frames ?? 0 }
}
