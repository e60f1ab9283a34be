import ArgumentParser

/// `nem`: segment and track objects in video with RNN-EM, and train and evaluate its models.
/// Each subcommand lives in its own file and stays thin: parse → config → run.
@main
struct NEM: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "nem",
        abstract: "Unsupervised object segmentation and tracking in video with Neural EM (RNN-EM).",
        version: "0.1.0",
        subcommands: [Track.self, Train.self, Eval.self, Dataset.self, Model.self, Bench.self]
    )

    static func main() {
        OpenBLASCore.restartWithFasterKernelsIfNeeded()
        main(nil)
    }
}
