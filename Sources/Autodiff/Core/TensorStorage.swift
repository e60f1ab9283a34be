import Foundation
import Synchronization

/// The memory behind one or more tensors (a reshape shares it). Large buffers come from and return
/// to ``BufferPool`` so a training step does not fault in ~100 MB of fresh pages every time.
final class TensorStorage<Scalar: TensorScalar>: @unchecked Sendable {
    let base: UnsafeMutablePointer<Scalar>
    let count: Int

    /// Uninitialised storage for `count` scalars (every engine op overwrites what it allocates).
    init(count: Int) {
        self.count = count
        let raw = BufferPool.shared.allocate(byteCount: Swift.max(1, count) * MemoryLayout<Scalar>.stride)
        base = raw.bindMemory(to: Scalar.self, capacity: Swift.max(1, count))
    }

    /// Zero-filled storage (all-zero bits are +0.0 for IEEE floats).
    static func zeroed(count: Int) -> TensorStorage {
        let s = TensorStorage(count: count)
        memset(s.base, 0, count * MemoryLayout<Scalar>.stride)
        return s
    }

    deinit {
        BufferPool.shared.recycle(UnsafeMutableRawPointer(base), byteCount: Swift.max(1, count) * MemoryLayout<Scalar>.stride)
    }
}

/// A process-wide, size-keyed cache of freed tensor buffers. Buffers of at least `minimumBytes`
/// are kept for reuse (up to `capacityBytes` in all); smaller ones go straight back to malloc.
public final class BufferPool: Sendable {
    public static let shared = BufferPool()

    /// Buffers smaller than this are not pooled.
    public let minimumBytes = 1 << 16
    private struct State {
        /// Free buffers by byte count, as addresses (plain integers keep the state Sendable).
        var free: [Int: [UInt]] = [:]
        var pooledBytes = 0
        var capacityBytes = 2 << 30
    }
    private let state = Mutex(State())

    /// Most bytes kept for reuse (2 GiB unless changed); lowering it releases the excess.
    public var capacityBytes: Int {
        get { state.withLock { $0.capacityBytes } }
        set {
            state.withLock { $0.capacityBytes = newValue }
            trim()
        }
    }

    /// Bytes currently held for reuse.
    public var pooledBytes: Int { state.withLock { $0.pooledBytes } }

    func allocate(byteCount: Int) -> UnsafeMutableRawPointer {
        if byteCount >= minimumBytes {
            let reused: UInt? = state.withLock { s in
                guard let p = s.free[byteCount]?.popLast() else { return nil }
                s.pooledBytes -= byteCount
                return p
            }
            if let reused, let p = UnsafeMutableRawPointer(bitPattern: reused) { return p }
        }
        return UnsafeMutableRawPointer.allocate(byteCount: byteCount, alignment: 64)
    }

    func recycle(_ pointer: UnsafeMutableRawPointer, byteCount: Int) {
        if byteCount >= minimumBytes {
            let kept = state.withLock { s in
                guard s.pooledBytes + byteCount <= s.capacityBytes else { return false }
                s.free[byteCount, default: []].append(UInt(bitPattern: pointer))
                s.pooledBytes += byteCount
                return true
            }
            if kept { return }
        }
        pointer.deallocate()
    }

    /// Releases pooled buffers until at most `capacityBytes` are held.
    public func trim() {
        let released: [UInt] = state.withLock { s in
            var out: [UInt] = []
            for key in s.free.keys.sorted(by: >) where s.pooledBytes > s.capacityBytes {
                while s.pooledBytes > s.capacityBytes, let p = s.free[key]?.popLast() {
                    out.append(p)
                    s.pooledBytes -= key
                }
            }
            return out
        }
        released.forEach { UnsafeMutableRawPointer(bitPattern: $0)?.deallocate() }
    }
}
