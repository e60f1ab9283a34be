import Autodiff
import Datasets
import NeuralEM
import XCTest

/// Training configurations in YAML: presets, partial overrides, and one located error per mistake.
final class TrainingConfigFileTests: XCTestCase {
    private func parse(_ text: String) throws -> TrainingConfig {
        try TrainingConfigFile.parse(text, path: "train.yaml")
    }

    private func assertError(_ text: String, line: Int, contains fragment: String, file: StaticString = #filePath, lineNumber: UInt = #line) {
        XCTAssertThrowsError(try parse(text), file: file, line: lineNumber) { error in
            guard case let ConfigError.file(path, errorLine, column, reason) = error else {
                return XCTFail("unexpected error \(error)", file: file, line: lineNumber)
            }
            XCTAssertEqual(path, "train.yaml", file: file, line: lineNumber)
            XCTAssertEqual(errorLine, line, "\(reason)", file: file, line: lineNumber)
            XCTAssertNotNil(column, file: file, line: lineNumber)
            XCTAssertTrue(reason.contains(fragment), "'\(reason)' lacks '\(fragment)'", file: file, line: lineNumber)
        }
    }

    func testEveryPresetRoundTripsAndValidates() throws {
        for preset in TrainingPreset.allCases {
            let config = try parse("preset: \(preset.rawValue)\n")
            XCTAssertEqual(config, preset.config, preset.rawValue)
            XCTAssertNoThrow(try config.validate())
        }
    }

    func testOverridesMergeKeyByKeyAndListsReplace() throws {
        let config = try parse("""
            preset: flying-shapes
            model:
              components: 5
              network:
                recurrent: [{name: rnn, size: 64, ln: true}]
            training: {batch_size: 16, seed: 9}
            """)
        XCTAssertEqual(config.model.components, 5)
        XCTAssertEqual(config.model.steps, 20)
        XCTAssertEqual(config.model.network.recurrent.map(\.size), [64])
        XCTAssertEqual(config.model.network.output, TrainingPreset.flyingShapes.config.model.network.output)
        XCTAssertEqual(config.training.batchSize, 16)
        XCTAssertEqual(config.training.seed, 9)
        XCTAssertEqual(config.training.validateEvery, TrainingPreset.flyingShapes.config.training.validateEvery)
        XCTAssertNil(config.training.selectBy, "the best model is chosen by validation loss unless select_by says otherwise")
        XCTAssertEqual(try parse("preset: flying-shapes\ntraining: {select_by: ami_last}\n").training.selectBy, .amiLast)
        XCTAssertNil(config.optimizer.weightDecay, "no weight decay unless asked, as the reference")
        XCTAssertEqual(try parse("preset: flying-shapes\noptimizer: {weight_decay: 0.01}\n").optimizer.weightDecay, 0.01)
        XCTAssertEqual(try parse("preset: flying-mnist\ndata: {variations: 20}\n").data.variations, 20)
    }

    func testUnknownKeyIsReportedWithItsLine() {
        assertError("preset: flying-shapes\ntraining:\n  batch_sise: 3\n", line: 3, contains: "unknown key 'training.batch_sise'")
        assertError("preset: flying-shapes\nmodle: {}\n", line: 2, contains: "unknown key 'modle'")
        assertError("""
            preset: flying-shapes
            model:
              network:
                output:
                  - {name: fc, size: 3, act: relu, colour: red}
            """, line: 5, contains: "unknown layer key 'colour'")
    }

    func testWrongTypeIsReportedWithItsLine() {
        assertError("preset: static-shapes-rnn-em\ntraining:\n  batch_size: many\n", line: 3, contains: "training.batch_size: expected an integer")
        assertError("preset: static-shapes-rnn-em\nloss:\n  gradient_gamma: 3\n", line: 3, contains: "loss.gradient_gamma")
        assertError("preset: static-shapes-rnn-em\ntraining:\n  select_by: accuracy\n", line: 3, contains: "training.select_by")
    }

    func testImpossibleValueIsReportedWithItsLine() {
        assertError("preset: static-shapes-rnn-em\nmodel:\n  components: 0\n", line: 3, contains: "K must be at least 1")
        assertError("preset: static-shapes-rnn-em\nnoise: {type: bitflip, probability: 1.5}\n", line: 2, contains: "noise.probability")
        assertError("preset: static-shapes-rnn-em\nmodel:\n  likelihood: poisson\n", line: 3, contains: "model.likelihood")
        assertError("preset: static-shapes-rnn-em\noptimizer:\n  weight_decay: -1\n", line: 3, contains: "optimizer.weight_decay")
        assertError("preset: static-shapes-rnn-em\ndata:\n  variations: 20\n", line: 3, contains: "only flying-mnist")
        assertError("preset: flying-mnist\ndata:\n  variations: 0\n", line: 3, contains: "data.variations: must be at least 1")
        assertError("preset: nonsense\n", line: 1, contains: "preset: expected one of")
        assertError("preset: flying-shapes\nmodel:\n  initial_gamma_grid: 29\n", line: 3, contains: "model.initial_gamma_grid: must be between 1 and")
        assertError("preset: flying-shapes\nmodel:\n  initial_gamma: kmeans\n  initial_gamma_grid: 4\n", line: 4,
                    contains: "model.initial_gamma_grid: applies to a random γ₀ only")
        assertError("preset: static-shapes-n-em\nmodel:\n  initial_gamma_kmeans_share: 1.5\n", line: 3,
                    contains: "model.initial_gamma_kmeans_share: must be in [0, 1]")
        assertError("preset: static-shapes-n-em\nmodel:\n  initial_gamma: kmeans\n  initial_gamma_kmeans_share: 0.5\n", line: 4,
                    contains: "model.initial_gamma_kmeans_share: blends a random γ₀")
        assertError("preset: flying-shapes\nmodel:\n  initial_gamma: clever\n", line: 3, contains: "model.initial_gamma")
        assertError("preset: flying-shapes\nmodel:\n  warmup_steps: -2\n", line: 3, contains: "model.warmup_steps: must not be negative")
        assertError("preset: flying-shapes\nmodel:\n  restarts: 0\n", line: 3, contains: "model.restarts: must be at least 1")
        assertError("preset: flying-shapes\nmodel:\n  restart_scope: always\n", line: 3, contains: "model.restart_scope")
        assertError("preset: flying-shapes\nmodel:\n  restarts: 4\n  restart_vote: 5\n", line: 4,
                    contains: "model.restart_vote: must be between 1 and model.restarts (4), got 5")
        assertError("preset: flying-shapes\nmodel:\n  restarts: 4\n  restart_vote: 2\n", line: 4,
                    contains: "model.restart_vote: a vote needs the runs carried through the sequence")
        assertError("preset: flying-mnist\nmodel:\n  binarize: 0\n", line: 3, contains: "model.binarize: must be in (0, 1]")
        assertError("preset: flying-shapes\ndata:\n  canvas: [30, 28]\n", line: 3, contains: "data.canvas: expected [H, W] no larger than")
        assertError("preset: flying-shapes\nnoise:\n  min_probability: 0.3\n", line: 3, contains: "noise.min_probability: must be in [0, noise.probability")
    }

    func testSyntaxErrorIsReportedWithItsLine() {
        assertError("preset: flying-shapes\nmodel:\n  components: [1, 2\n", line: 4, contains: "not valid YAML")
    }

    func testInitialGammaIsReadFromTheModelSection() throws {
        XCTAssertEqual(try parse("preset: flying-shapes\nmodel:\n  initial_gamma: kmeans\n").model.initialGamma, .kmeans)
        XCTAssertNil(try parse("preset: flying-shapes\n").model.initialGamma)
        XCTAssertEqual(try parse("preset: flying-shapes\nmodel:\n  warmup_steps: 10\n").model.warmupSteps, 10)
        XCTAssertEqual(try parse("preset: flying-shapes\nmodel:\n  restarts: 4\n").model.restarts, 4)
        XCTAssertEqual(try parse("preset: flying-shapes\nmodel:\n  restarts: 4\n  restart_scope: sequence\n").model.restartScope, .sequence)
        XCTAssertEqual(try parse("preset: flying-shapes\nmodel:\n  restarts: 8\n  restart_scope: sequence\n  restart_vote: 4\n").model.restartVote, 4)
        XCTAssertEqual(try parse("preset: flying-mnist\nmodel:\n  binarize: 0.1\n").model.binarize, 0.1)
        XCTAssertEqual(try parse("preset: flying-shapes\ndata:\n  canvas: [24, 24]\n").data.canvas, [24, 24])
    }

    func testLearningRateScalesGoByTheLongestPrefixAndMustMatchAParameter() throws {
        let config = try parse("preset: flying-shapes\noptimizer:\n  learning_rate_scales: {interaction.: 10, interaction.cell.: 20}\n")
        let names = ["encoder.1.weight", "interaction.encode.weight", "interaction.cell.weight"]
        XCTAssertEqual(try config.optimizer.scales(for: names), [1, 10, 20])
        XCTAssertThrowsError(try config.optimizer.scales(for: ["encoder.1.weight"])) { error in
            XCTAssertTrue("\(error)".contains("'interaction.") && "\(error)".contains("no parameter"), "\(error)")
        }
        XCTAssertThrowsError(try parse("preset: flying-shapes\noptimizer:\n  learning_rate_scales: {encoder.: 0}\n")) { error in
            XCTAssertTrue("\(error)".contains("must be positive"), "\(error)")
        }
    }

    func testAFileWithoutPresetMustBeComplete() {
        XCTAssertThrowsError(try parse("model:\n  components: 3\n"))
    }

    func testMinProbabilityDrawsEachTrainingStepsNoiseLevelBetweenItAndProbability() throws {
        let fixed = try parse("preset: flying-shapes\n").noise
        var rng = SeededRNG(seed: 1)
        XCTAssertEqual(fixed.trainingModel(rng: &rng), .bitflip(probability: 0.2))
        let mixed = try parse("preset: flying-shapes\nnoise:\n  min_probability: 0.05\n").noise
        XCTAssertEqual(mixed.minProbability, 0.05)
        XCTAssertEqual(mixed.model, .bitflip(probability: 0.2), "validation and evaluation keep the full level")
        let levels: [Float] = (0..<200).map { _ in
            guard case .bitflip(let p) = mixed.trainingModel(rng: &rng) else { XCTFail("kind"); return -1 }
            return p
        }
        XCTAssertTrue(levels.allSatisfy { (0.05...0.2).contains($0) })
        XCTAssertLessThan(levels.min()!, 0.07)
        XCTAssertGreaterThan(levels.max()!, 0.18)
    }
}
