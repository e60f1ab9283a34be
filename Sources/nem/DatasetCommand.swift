import ArgumentParser

struct Dataset: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Generate and inspect datasets in the original HDF5 layout.")
    func run() throws { throw ValidationError("not implemented yet") }
}
