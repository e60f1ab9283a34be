import Autodiff
import Datasets
import Foundation
import Layers
import NeuralEM
import XCTest

/// Checkpoints: a run interrupted and resumed ends where an uninterrupted run ends; divergence and
/// existing runs are refused clearly.
final class TrainerResumeTests: XCTestCase {
    private func config(maxSteps: Int) -> TrainingConfig {
        var config = TrainingPreset.staticShapesRNNEM.config
        config.model.steps = 3
        config.model.network = NetworkSpec(input: [], recurrent: [.rnn(16)], output: [.fc(784, act: .output)])
        config.training = ScheduleConfig(batchSize: 8, maxSteps: maxSteps, validateEvery: 3, validationSequences: 16,
                                         patience: 10, checkpointMinutes: 60, seed: 4)
        return config
    }

    private func folder() -> URL {
        let url = FileManager.default.temporaryDirectory.appendingPathComponent("nem-resume-\(UUID().uuidString)")
        addTeardownBlock { try? FileManager.default.removeItem(at: url) }
        return url
    }

    func testResumedRunEqualsUninterruptedRun() throws {
        let straight = try Trainer(config: config(maxSteps: 6), directory: folder(), resume: false)
        _ = try straight.run { _ in }

        let directory = folder()
        _ = try Trainer(config: config(maxSteps: 3), directory: directory, resume: false).run { _ in }
        let resumed = try Trainer(config: config(maxSteps: 6), directory: directory, resume: true)
        let summary = try resumed.run { _ in }
        XCTAssertEqual(summary.steps, 6)
        for ((name, a), (_, b)) in zip(straight.model.network.namedParameters, resumed.model.network.namedParameters) {
            XCTAssertEqual(a.scalars, b.scalars, name)
        }
        let log = try String(contentsOf: directory.appendingPathComponent("log.csv"), encoding: .utf8)
        XCTAssertEqual(log.split(separator: "\n").count, 3, "header and one row per validation across both sittings")
    }

    func testAnExistingRunIsNotOverwrittenWithoutResume() throws {
        let directory = folder()
        _ = try Trainer(config: config(maxSteps: 1), directory: directory, resume: false).run { _ in }
        XCTAssertThrowsError(try Trainer(config: config(maxSteps: 2), directory: directory, resume: false)) { error in
            XCTAssertTrue("\(error)".contains("--resume"), "\(error)")
        }
        XCTAssertThrowsError(try Trainer(config: config(maxSteps: 2), directory: folder(), resume: true)) { error in
            XCTAssertTrue("\(error)".contains("no checkpoint"), "\(error)")
        }
    }

    func testAStopRequestEndsAfterTheCurrentStepWithACheckpoint() throws {
        let directory = folder()
        let trainer = try Trainer(config: config(maxSteps: 6), directory: directory, resume: false)
        var stopNow = false
        let summary = try trainer.run(stopRequested: { stopNow }) { event in
            if case let .step(step, _, _, _) = event, step == 2 { stopNow = true }
        }
        XCTAssertEqual(summary.stop, .interrupted)
        XCTAssertEqual(summary.steps, 2)
        let (_, file) = try NEMModel.load(from: trainer.checkpointURL)
        XCTAssertEqual(file.metadata["nem.step"], "2")
    }

    func testValidationRunsAtTheScheduleKAndStepsWhenSet() throws {
        var config = config(maxSteps: 1)
        config.model.components = 4
        let atModelK = try Trainer(config: config, directory: folder(), resume: false).validate()
        XCTAssertEqual(atModelK.amiPerStep.count, 3, "the model's three EM steps by default")
        config.training.validationComponents = 3
        config.training.validationSteps = 2
        let atScheduleK = try Trainer(config: config, directory: folder(), resume: false).validate()
        XCTAssertEqual(atScheduleK.amiPerStep.count, 2, "two EM steps validated, not the model's three")
        XCTAssertNotEqual(atScheduleK.loss, atModelK.loss, "K = 3 and 2 steps in validation, not the model's 4 and 3")
        config.training.validationSteps = 4
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertTrue("\(error)".contains("training.validation_steps"), "\(error)")
        }
        config.training.validationSteps = nil
        config.training.validationComponents = 0
        XCTAssertThrowsError(try config.validate()) { error in
            XCTAssertTrue("\(error)".contains("training.validation_components"), "\(error)")
        }
    }

    func testSelectionByAMIKeepsTheStepWithTheHighestValidationAMI() throws {
        var config = config(maxSteps: 6)
        config.training.validateEvery = 1
        config.training.selectBy = .amiLast
        let directory = folder()
        _ = try Trainer(config: config, directory: directory, resume: false).run { _ in }
        let rows = try String(contentsOf: directory.appendingPathComponent("log.csv"), encoding: .utf8)
            .split(separator: "\n").dropFirst().map { $0.split(separator: ",").map(String.init) }
        XCTAssertEqual(rows.count, 6)
        let (_, file) = try NEMModel.load(from: directory.appendingPathComponent("best.safetensors"))
        let bestStep = try XCTUnwrap(Int(file.metadata["nem.step"] ?? ""))
        let amiLast = rows.map { Double($0[5])! }
        XCTAssertEqual(amiLast[bestStep - 1], amiLast.max()!, "best.safetensors is step \(bestStep); AMI last per step \(amiLast)")
    }

    func testWarmStartCopiesTheWeightsAndRefusesAnotherNetwork() throws {
        let first = folder()
        _ = try Trainer(config: config(maxSteps: 2), directory: first, resume: false).run { _ in }
        let best = first.appendingPathComponent("best.safetensors")
        // K and T may differ from the model's: a curriculum stage.
        var next = config(maxSteps: 1)
        next.model.components = 4
        next.model.steps = 5
        let warm = try Trainer(config: next, directory: folder(), resume: false, initialWeights: best)
        let (saved, _) = try NEMModel.load(from: best)
        for ((name, a), (_, b)) in zip(saved.network.namedParameters, warm.model.network.namedParameters) {
            XCTAssertEqual(a.scalars, b.scalars, name)
        }
        var other = config(maxSteps: 1)
        other.model.network = NetworkSpec(input: [], recurrent: [.rnn(8)], output: [.fc(784, act: .output)])
        XCTAssertThrowsError(try Trainer(config: other, directory: folder(), resume: false, initialWeights: best)) { error in
            XCTAssertTrue("\(error)".contains("best.safetensors") && "\(error)".contains("network differs"), "\(error)")
        }
    }

    /// Generated static shapes whose batches turn to NaN from the `poisonFrom`-th on.
    struct PoisonedSource: SequenceSource {
        var inner: GeneratedSource
        let poisonFrom: Int
        var served = 0
        var frameShape: (height: Int, width: Int, channels: Int) { inner.frameShape }
        var frames: Int { inner.frames }
        var isBinary: Bool { inner.isBinary }
        mutating func nextBatch(size: Int) throws -> Batch {
            var batch = try inner.nextBatch(size: size)
            served += 1
            if served >= poisonFrom { batch.features = batch.features.map { _ in .nan } }
            return batch
        }
    }

    func testDivergenceStopsWithAMessageAndKeepsTheLastGoodCheckpoint() throws {
        var settings = config(maxSteps: 10)
        settings.training.checkpointMinutes = 1e-9  // a checkpoint after every step
        let directory = folder()
        let generator = try StaticShapes()
        let source = PoisonedSource(inner: try GeneratedSource(generator: generator, seed: 1), poisonFrom: 4)
        var validationSource = try GeneratedSource(generator: generator, split: .validation, seed: 1)
        let validation = [try validationSource.nextBatch(size: 8)]
        let trainer = try Trainer(config: settings, directory: directory, resume: false, source: (source, validation))
        XCTAssertThrowsError(try trainer.run { _ in }) { error in
            XCTAssertTrue("\(error)".contains("diverged at step 4"), "\(error)")
            XCTAssertTrue("\(error)".contains("checkpoint.safetensors"), "\(error)")
        }
        let (kept, file) = try NEMModel.load(from: directory.appendingPathComponent("checkpoint.safetensors"))
        XCTAssertEqual(file.metadata["nem.step"], "3")
        XCTAssertTrue(kept.network.parameters.allSatisfy { $0.scalars.allSatisfy(\.isFinite) })
    }

    func testModelFileIsSelfDescribing() throws {
        let directory = folder()
        let trainer = try Trainer(config: config(maxSteps: 3), directory: directory, resume: false)
        let summary = try trainer.run { _ in }
        let (model, file) = try NEMModel.load(from: URL(fileURLWithPath: summary.modelPath))
        XCTAssertEqual(model.config, trainer.config.model)
        XCTAssertNotNil(file.metadata["nem.training"])
        XCTAssertEqual(model.trainingConfig?.noise, trainer.config.noise)
        for ((name, a), (_, b)) in zip(model.network.namedParameters, trainer.model.network.namedParameters) {
            XCTAssertEqual(a.scalars, b.scalars, name)
        }
    }
}

extension TrainerResumeTests {
    func testHalfPrecisionModelLoadsWithinF16Rounding() throws {
        let directory = folder()
        let trainer = try Trainer(config: config(maxSteps: 1), directory: directory, resume: false)
        _ = try trainer.run { _ in }
        let half = directory.appendingPathComponent("half.safetensors")
        try NEMModel.load(from: trainer.bestURL).model.save(to: half, halfPrecision: true)
        let full = try FileManager.default.attributesOfItem(atPath: trainer.bestURL.path)[.size] as! Int
        let small = try FileManager.default.attributesOfItem(atPath: half.path)[.size] as! Int
        XCTAssertLessThan(small, full * 6 / 10)
        let (loaded, file) = try NEMModel.load(from: half)
        XCTAssertEqual(loaded.config, trainer.model.config)
        XCTAssertNotNil(file.metadata["nem.training"])
        for ((name, a), (_, b)) in zip(loaded.network.namedParameters, trainer.model.network.namedParameters) {
            for (x, y) in zip(a.scalars, b.scalars) { XCTAssertEqual(x, y, accuracy: 1e-3 * max(1, Swift.abs(y)), name) }
        }
    }

    func testExportWithOtherDefaultStepsKeepsTheWeights() throws {
        let directory = folder()
        let trainer = try Trainer(config: config(maxSteps: 1), directory: directory, resume: false)
        _ = try trainer.run { _ in }
        let exported = directory.appendingPathComponent("steps.safetensors")
        try NEMModel.load(from: trainer.bestURL).model.save(to: exported) { $0.steps = trainer.config.model.steps + 5 }
        let (loaded, file) = try NEMModel.load(from: exported)
        XCTAssertEqual(loaded.config.steps, trainer.config.model.steps + 5)
        XCTAssertEqual(loaded.trainingConfig?.model.steps, trainer.config.model.steps, "nem.training still records the training horizon")
        XCTAssertNotNil(file.metadata["nem.training"])
        for ((name, a), (_, b)) in zip(loaded.network.namedParameters, trainer.model.network.namedParameters) {
            XCTAssertEqual(a.scalars, b.scalars, name)
        }
        XCTAssertThrowsError(try trainer.model.save(to: directory.appendingPathComponent("zero.safetensors")) { $0.steps = 0 })
    }

    func testExportWithAKMeansStartDropsTheGrid() throws {
        var gridded = config(maxSteps: 1).model
        gridded.initialGammaGrid = 4
        var kmeans = gridded
        kmeans.start(by: .kmeans)
        XCTAssertEqual(kmeans.initialGamma, .kmeans)
        XCTAssertNil(kmeans.initialGammaGrid, "a grid applies to a random start only")
        XCTAssertNoThrow(try kmeans.validate())
        var random = gridded
        random.start(by: .random)
        XCTAssertEqual(random.initialGammaGrid, 4, "a random start keeps its grid")
    }
}
