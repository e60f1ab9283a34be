import ArgumentParser
import Foundation
import NeuralEM

/// `nem model …`: inspect and export model files.
struct Model: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Inspect a model file or export it (e.g. with half-precision weights for shipping).",
        subcommands: [ModelInfo.self, ModelExport.self])
}

struct ModelInfo: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "info", abstract: "Print what a model file says about itself.")
    @Argument(help: "The model (.safetensors).") var path: String

    func run() throws {
        try reportingErrors("model info") {
            let (model, _) = try NEMModel.load(from: URL(fileURLWithPath: path))
            let c = model.config
            print("\(path): K = \(c.components), \(c.steps) EM steps, frames \(c.frameShape.map(String.init).joined(separator: "×")), \(c.likelihood.rawValue), \(model.network.parameterCount) parameters, γ₀ \(Self.start(c))\(c.warmupSteps.map { ", \($0) warm-up steps on the first frame" } ?? "")\(Self.restarts(c))\(c.binarize.map { ", frames binarized at \($0)" } ?? "")")
            for key in model.metadata.keys.sorted() where key != "nem.training" {
                print("  \(key): \(model.metadata[key]!)")
            }
        }
    }

    /// The model's restarts, in words.
    static func restarts(_ c: ModelConfig) -> String {
        guard let r = c.restarts else { return "" }
        guard c.restartScope == .sequence else { return ", best of \(r) starts" }
        let labels = c.restartVote.map { "the vote of the best \($0)" } ?? "the best"
        return ", \(r) starts carried through the sequence, each frame labelled by \(labels)"
    }

    /// How the model draws γ₀, in words.
    static func start(_ c: ModelConfig) -> String {
        if c.initialGamma == .kmeans { return "by k-means over the first frame" }
        let random = c.initialGammaGrid.map { "random on a \($0)×\($0) grid" } ?? "random per pixel"
        return c.initialGammaKMeansShare.map { "\(random), blended with the k-means start (share \($0))" } ?? random
    }
}

struct ModelExport: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "export", abstract: "Write a copy of a model, optionally with F16 weights.")
    @Argument(help: "The model to read.") var input: String
    @Option(name: .shortAndLong, help: "The model to write.") var output: String
    @Flag(help: "Store the weights as F16 (half the size).") var half = false
    @Option(help: "Store this number of EM steps as the model's (what nem eval runs unless --steps says otherwise); the weights do not depend on it.")
    var steps: Int?
    @Option(help: "Store this number of searches for a start on the first frame (restarts) as the model's (what nem eval and nem track use unless told otherwise); the weights do not depend on it.")
    var restarts: Int?
    @Option(name: .customLong("restart-scope"), help: "Store how far the restarts go as the model's: first_frame (the best search after frame 0 is kept) or sequence (all go on; each frame is labelled by the one whose grouping explains it best). The weights do not depend on it.")
    var restartScope: RestartScope?
    @Option(name: .customLong("restart-vote"), help: "Store how many runs label a frame when the restarts go on through the sequence: the best and the next best, each matched to the best one's components, averaged (1: the best alone). The weights do not depend on it.")
    var restartVote: Int?
    @Option(name: .customLong("initial-gamma"), help: "Store how γ₀ is drawn (random or kmeans) as the model's; kmeans drops a random start's grid. The weights do not depend on it.")
    var initialGamma: InitialGamma?
    @Option(name: .customLong("kmeans-share"), help: "Store a random γ₀ blended with the k-means one, (1 − s)·random + s·k-means (model.initial_gamma_kmeans_share; 0: random alone). The weights do not depend on it.")
    var kMeansShare: Float?
    @Flag(help: "Replace an existing output.") var overwrite = false

    func validate() throws {
        if let steps, steps < 1 { throw ValidationError("--steps must be at least 1") }
        if let restarts, restarts < 1 { throw ValidationError("--restarts must be at least 1") }
        if let restartVote, restartVote < 1 { throw ValidationError("--restart-vote must be at least 1") }
        if let kMeansShare {
            guard (0...1).contains(kMeansShare) else { throw ValidationError("--kmeans-share must be in [0, 1], got \(kMeansShare)") }
            guard initialGamma != .kmeans else { throw ValidationError("--kmeans-share blends a random γ₀ with the k-means one; it does not go with --initial-gamma kmeans") }
        }
    }

    func run() throws {
        try reportingErrors("model export") {
            let (model, _) = try NEMModel.load(from: URL(fileURLWithPath: input))
            try model.save(to: URL(fileURLWithPath: output), overwrite: overwrite, halfPrecision: half) { stored in
                if let steps { stored.steps = steps }
                if let restarts { stored.restarts = restarts }
                if let restartScope { stored.restartScope = restartScope == .firstFrame ? nil : restartScope }
                if let restartVote { stored.restartVote = restartVote > 1 ? restartVote : nil }
                if let initialGamma { stored.start(by: initialGamma) }
                if let kMeansShare {
                    stored.start(by: .random)
                    stored.initialGammaKMeansShare = kMeansShare > 0 ? kMeansShare : nil
                }
            }
        }
    }
}
