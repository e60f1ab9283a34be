import ArgumentParser

struct BenchOps: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "ops", abstract: "sgemm ceiling, model shapes, flying-shapes forward+backward.")
    func run() throws { throw ValidationError("not implemented yet") }
}
