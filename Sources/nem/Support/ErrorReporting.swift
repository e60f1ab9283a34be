import ArgumentParser
import Datasets
import Foundation
import Layers
import NeuralEM
import Pipeline
import VideoIO

/// An error the command line reports as one line with an exit code of its kind (see README, "Exit codes").
protocol ReportableError: Error, CustomStringConvertible {
    var exitCode: Int32 { get }
}

extension DatasetError: ReportableError {}
extension CheckpointError: ReportableError {}
extension NetworkSpecError: ReportableError {}
extension ConfigError: ReportableError {}
extension TrainingError: ReportableError {}
extension PipelineError: ReportableError {}
extension VideoIOError: ReportableError {}

/// Runs `body`, turning a known error into one line on stderr ("nem COMMAND: error: …") and its exit code.
func reportingErrors(_ command: String, _ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as ReportableError {
        FileHandle.standardError.write(Data("nem \(command): error: \(error.description)\n".utf8))
        throw ExitCode(error.exitCode)
    }
}
