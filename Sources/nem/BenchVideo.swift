import ArgumentParser

struct BenchVideo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "video", abstract: "Video read/write speed against the ffmpeg command line.")
    func run() throws { throw ValidationError("not implemented yet") }
}
