import Autodiff
import Foundation

/// OpenBLAS picks its kernels when the library is loaded, before any of our code runs; where it picked
/// slow ones for this CPU (`BLAS.coreTypeToRequest`), the only way to change them is to start the same
/// program again, with the same arguments and `OPENBLAS_CORETYPE` set. Standard input and output are
/// untouched (nothing has been read or written yet), and the second start sees the variable and goes on.
enum OpenBLASCore {
    static func restartWithFasterKernelsIfNeeded() {
        guard let core = BLAS.coreTypeToRequest() else { return }
        setenv("OPENBLAS_CORETYPE", core, 1)
        execv("/proc/self/exe", CommandLine.unsafeArgv)
        unsetenv("OPENBLAS_CORETYPE")  // exec failed: go on with OpenBLAS's own choice
    }
}
