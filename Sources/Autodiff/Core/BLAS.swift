internal import CBLAS
internal import CKernels
import Foundation

/// OpenBLAS as the process has it: its threads and the kernels it picked for this CPU.
public enum BLAS {
    /// The number of threads OpenBLAS uses (all cores unless `OPENBLAS_NUM_THREADS` says otherwise).
    public static var threadCount: Int { Int(openblas_get_num_threads()) }
    public static func setThreadCount(_ n: Int) { openblas_set_num_threads(Int32(n)) }

    /// The kernels OpenBLAS chose when it was loaded ("Haswell", "SkylakeX", "Prescott", …).
    public static var coreName: String { openblas_get_corename().map { String(cString: $0) } ?? "unknown" }

    /// Cores whose kernels use AVX2 or AVX-512: a choice among these is left alone.
    static let vectorCores: Set<String> = ["haswell", "zen", "skylakex", "cooperlake", "sapphirerapids"]

    /// The core type to ask OpenBLAS for, or nil when its own choice stands.
    ///
    /// OpenBLAS (Debian 12 ships 0.3.21) picks its kernels from the CPU's family and model when it is
    /// loaded; a model newer than its tables falls back to the SSE3 "Prescott" kernels. On this
    /// project's Emerald Rapids machines (family 6, model 207) that made the tracker 1.8× and a training
    /// step 2.4× slower (docs/engine.md). When the choice is not a vector core while the CPU has AVX2
    /// (or AVX-512) and `OPENBLAS_CORETYPE` is unset, this names the core to set it to.
    public static func coreTypeToRequest(environment: [String: String] = ProcessInfo.processInfo.environment) -> String? {
        guard (environment["OPENBLAS_CORETYPE"] ?? "").isEmpty, !vectorCores.contains(coreName.lowercased()),
              let preferred = nem_openblas_core_for_this_cpu() else { return nil }
        return String(cString: preferred)
    }
}
