import ArgumentParser

/// `nem bench …`: speed measurements that print their figures next to the machine's limits.
struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Benchmarks: tensor ops, video I/O, training step, tracker.",
        subcommands: [BenchOps.self, BenchVideo.self, BenchStep.self, BenchTracker.self, BenchPipeline.self, BenchReproduce.self, BenchIdentity.self, BenchHeldOut.self]
    )
}
