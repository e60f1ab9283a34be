import ArgumentParser
import Autodiff
import Foundation
import Layers

/// `nem bench ops`: the engine's speed next to the machine's limit. Prints the measured sgemm rate
/// at 2048³, then the model shapes (Linear 784→250, the flying-shapes encoder and decoder, and the
/// whole flying-shapes network), each forward+backward at B·K = 192, as milliseconds, GFLOP/s and
/// percent of the sgemm rate. Every figure is the median of `--repetitions` runs after a warm-up.
struct BenchOps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ops", abstract: "sgemm ceiling, model shapes, flying-shapes forward+backward.")

    @Option(help: "Rows per pass (B·K: batch × components).")
    var batch = 192

    @Option(help: "Timed repetitions per figure (the median is reported).")
    var repetitions = 7

    @Option(help: "Threads for OpenBLAS and the engine's own loops (default: all cores). With 1, each figure also shows the CPU time the thread itself used, which stays meaningful on a busy machine.")
    var threads: Int?

    @Flag(help: "Print one JSON object instead of the table.")
    var json = false

    func validate() throws {
        guard batch > 0 else { throw ValidationError("--batch must be positive") }
        guard repetitions > 0 else { throw ValidationError("--repetitions must be positive") }
        if let threads, threads <= 0 { throw ValidationError("--threads must be positive") }
    }

    func run() throws {
        if let threads {
            BLAS.setThreadCount(threads)
            Parallelism.threadCount = threads
        }
        let singleThread = BLAS.threadCount == 1 && Parallelism.threadCount == 1
        var rows: [BenchRow] = []
        let ceiling = measureSgemm(size: 2048)
        rows.append(ceiling)

        var rng = SeededRNG(seed: 1)
        let linear = Linear(inputSize: 784, outputSize: 250, rng: &rng)
        let x = Tensor(randomUniform: [batch, 784], in: 0...1, using: &rng)
        x.requiresGrad = true
        rows.append(time("Linear 784→250 (\(batch)×784)·(784×250)", flops: 3 * 2 * Double(batch * 784 * 250)) {
            sum(linear(x)).backward()
            x.grad = nil
            linear.parameters.forEach { $0.grad = nil }
        })

        let spec = ReferenceNetworks.flyingShapes
        let encoder = try Network(spec: spec.encoder, inputShape: [784], prefix: "encoder", rng: &rng)
        let cell = RNNCell(inputSize: 512, hiddenSize: 100, layerNorm: true, rng: &rng)
        let decoder = try Network(spec: spec.decoder, inputShape: [100], prefix: "decoder", rng: &rng)
        let params = encoder.parameters + cell.parameters + decoder.parameters
        let delta = Tensor(randomUniform: [batch, 784], in: -1...1, using: &rng)
        delta.requiresGrad = true
        let hiddenIn = Tensor(randomUniform: [batch, 100], in: 0...1, using: &rng)
        hiddenIn.requiresGrad = true
        let target = Tensor(randomUniform: [batch, 784], in: 0...1, using: &rng)
        func reset() {
            params.forEach { $0.grad = nil }
            delta.grad = nil
            hiddenIn.grad = nil
        }
        let encoderFlops = NetworkFlops(spec.encoder, inputShape: [784], batch: batch)
        let decoderFlops = NetworkFlops(spec.decoder, inputShape: [100], batch: batch)
        let cellFlops = 3 * 2 * Double(batch * 612 * 100)

        rows.append(time("flying-shapes encoder", flops: 3 * encoderFlops.nominal, executed: 3 * encoderFlops.executed) {
            sum(encoder(delta)).backward()
            reset()
        })
        rows.append(time("flying-shapes decoder", flops: 3 * decoderFlops.nominal, executed: 3 * decoderFlops.executed) {
            sum(decoder(hiddenIn) * target).backward()
            reset()
        })
        let total = 3 * (encoderFlops.nominal + decoderFlops.nominal) + cellFlops
        let executed = 3 * (encoderFlops.executed + decoderFlops.executed) + cellFlops
        rows.append(time("flying-shapes network (encoder, RNN, decoder)", flops: total, executed: executed) {
            let (output, _) = cell(encoder(delta), state: hiddenIn)
            sum(decoder(output) * target).backward()
            reset()
        })

        if json {
            let object: [String: Any] = [
                "batch": batch, "repetitions": repetitions, "blas_threads": BLAS.threadCount, "blas_core": BLAS.coreName,
                "engine_threads": Parallelism.threadCount,
                "cores": ProcessInfo.processInfo.activeProcessorCount,
                "results": rows.map { $0.json(ceiling: ceiling) },
            ]
            let data = try JSONSerialization.data(withJSONObject: object, options: [.sortedKeys, .prettyPrinted])
            print(String(decoding: data, as: UTF8.self))
        } else {
            print("nem bench ops: B·K = \(batch), median of \(repetitions), \(ProcessInfo.processInfo.activeProcessorCount) cores, "
                  + "OpenBLAS \(BLAS.threadCount) threads (\(BLAS.coreName) kernels), engine \(Parallelism.threadCount) threads")
            for row in rows { print(row.line(ceiling: ceiling, showCPU: singleThread)) }
            if singleThread {
                print("cpu: CPU time of the one working thread (immune to other processes); its GFLOP/s and % use that time.")
            }
            print("GFLOP/s count the nominal work (a resize-conv as a convolution of the resized image);")
            print("\"executed\" is the work actually done (the fused resize-conv skips 44% of it).")
        }
    }

    func measureSgemm(size n: Int) -> BenchRow {
        var rng = SeededRNG(seed: 2)
        let a = Tensor(randomUniform: [n, n], in: -1...1, using: &rng), b = Tensor(randomUniform: [n, n], in: -1...1, using: &rng)
        return time("sgemm \(n)³", flops: 2 * Double(n * n * n)) { _ = matmul(a, b) }
    }

    func time(_ name: String, flops: Double, executed: Double? = nil, _ body: () -> Void) -> BenchRow {
        body()
        body()
        var wall: [Double] = [], cpu: [Double] = []
        for _ in 0..<repetitions {
            let start = DispatchTime.now().uptimeNanoseconds, cpuStart = threadCPUTime()
            body()
            cpu.append((threadCPUTime() - cpuStart) * 1e3)
            wall.append(Double(DispatchTime.now().uptimeNanoseconds - start) / 1e6)
        }
        return BenchRow(name: name, milliseconds: median(wall), cpuMilliseconds: median(cpu), flops: flops, executedFlops: executed ?? flops)
    }

    private func median(_ values: [Double]) -> Double { values.sorted()[values.count / 2] }

    /// Seconds of CPU time used by the calling thread.
    private func threadCPUTime() -> Double {
        var t = timespec()
        clock_gettime(CLOCK_THREAD_CPUTIME_ID, &t)
        return Double(t.tv_sec) + Double(t.tv_nsec) / 1e9
    }
}

/// One measured figure.
struct BenchRow {
    let name: String
    let milliseconds: Double
    let cpuMilliseconds: Double
    let flops: Double
    let executedFlops: Double

    var gflops: Double { flops / milliseconds / 1e6 }
    var cpuGflops: Double { flops / cpuMilliseconds / 1e6 }

    func line(ceiling: BenchRow, showCPU: Bool) -> String {
        var text = "\(name.padding(toLength: 46, withPad: " ", startingAt: 0)) \(format(milliseconds, 8, 2)) ms"
        if showCPU { text += " (cpu \(format(cpuMilliseconds, 7, 2)) ms)" }
        let rate = showCPU ? cpuGflops : gflops, limit = showCPU ? ceiling.cpuGflops : ceiling.gflops
        text += "  \(format(flops / 1e9, 7, 3)) GFLOP  \(format(rate, 6, 1)) GFLOP/s  \(format(100 * rate / limit, 4, 0)) % of sgemm"
        if executedFlops != flops {
            text += "  (executed \(format(executedFlops / 1e9, 0, 2)) GFLOP)"
        }
        return text
    }

    func json(ceiling: BenchRow) -> [String: Any] {
        ["name": name, "ms": milliseconds, "cpu_ms": cpuMilliseconds, "gflop": flops / 1e9, "gflops": gflops,
         "percent_of_sgemm": 100 * gflops / ceiling.gflops, "executed_gflop": executedFlops / 1e9]
    }

    private func format(_ value: Double, _ width: Int, _ decimals: Int) -> String {
        let s = String(format: "%.\(decimals)f", value)
        return String(repeating: " ", count: max(0, width - s.count)) + s
    }
}

/// Forward multiply-add work of a spec'd network: `nominal` counts a resize-conv as a convolution
/// of the resized image (as the reference computes it), `executed` as the fused kernel does it
/// (a 3×3 convolution of the original image with 4·Cout channels for a 4×4 kernel).
struct NetworkFlops {
    var nominal = 0.0, executed = 0.0

    init(_ specs: [LayerSpec], inputShape: [Int], batch: Int) {
        var shape = inputShape
        let b = Double(batch)
        for spec in specs {
            switch spec.name {
            case "fc":
                let size = spec.size ?? 0, fc = 2 * b * Double(shape.reduce(1, *) * size)
                nominal += fc; executed += fc
                shape = [size]
            case "conv":
                let (k, s, size) = (spec.kernel ?? [4, 4], spec.stride ?? [2, 2], spec.size ?? 0)
                shape = [(shape[0] + s[0] - 1) / s[0], (shape[1] + s[1] - 1) / s[1], shape[2], size]
                let conv = 2 * b * Double(shape[0] * shape[1] * k[0] * k[1] * shape[2] * size)
                nominal += conv; executed += conv
                shape = [shape[0], shape[1], size]
            case "r_conv":
                let (k, size) = (spec.kernel ?? [4, 4], spec.size ?? 0)
                nominal += 2 * b * Double(4 * shape[0] * shape[1] * k[0] * k[1] * shape[2] * size)
                // Per axis, k taps on the resized image cover ⌊(k − top)/2⌋ − ⌊−top/2⌋ + 1 original pixels.
                let ke = k.map { k -> Int in
                    let top = (k - 1) / 2
                    return Int(((Double(k - top) / 2).rounded(.down) - (Double(-top) / 2).rounded(.down))) + 1
                }
                executed += 2 * b * Double(shape[0] * shape[1] * ke[0] * ke[1] * shape[2] * 4 * size)
                shape = [2 * shape[0], 2 * shape[1], size]
            case "reshape":
                if case let .dims(d) = spec.shape { shape = d } else { shape = [shape.reduce(1, *)] }
            default:
                break
            }
        }
    }
}
