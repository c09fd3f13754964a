import CZstd
import CubeCore
#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// One zstd compression and one decompression context per thread, reused from chunk to
/// chunk. A context holds up to a few megabytes of tables; making one per chunk costs an
/// allocation and a page fault per page, every time.
///
/// Contexts that grew large (high levels, long windows) are freed after use instead of
/// kept, so an idle thread never holds more than ``keptSizeLimit`` per context.
enum ZstdContexts {
    /// Contexts larger than this after use are freed rather than kept.
    static let keptSizeLimit = 16 << 20

    /// Runs `body` with this thread's compression context, reset to default parameters.
    static func withCompression<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        try withKept(compressionKey, kind: "compression", make: { ZSTD_createCCtx() },
                     reset: { _ = ZSTD_CCtx_reset($0, ZSTD_reset_session_and_parameters) },
                     size: { ZSTD_sizeof_CCtx($0) }, free: { _ = ZSTD_freeCCtx($0) }, body)
    }

    /// Runs `body` with this thread's decompression context, reset for a new frame.
    static func withDecompression<R>(_ body: (OpaquePointer) throws -> R) throws -> R {
        try withKept(decompressionKey, kind: "decompression", make: { ZSTD_createDCtx() },
                     reset: { _ = ZSTD_DCtx_reset($0, ZSTD_reset_session_and_parameters) },
                     size: { ZSTD_sizeof_DCtx($0) }, free: { _ = ZSTD_freeDCtx($0) }, body)
    }

    /// Takes the context kept in `key` (reset) or makes one, runs `body`, and keeps the
    /// context again unless it grew beyond ``keptSizeLimit``.
    private static func withKept<R>(_ key: pthread_key_t, kind: String, make: () -> OpaquePointer?,
                                    reset: (OpaquePointer) -> Void, size: (OpaquePointer) -> Int,
                                    free: (OpaquePointer) -> Void, _ body: (OpaquePointer) throws -> R) throws -> R {
        let context: OpaquePointer
        if let kept = pthread_getspecific(key) {
            context = OpaquePointer(kept)
            pthread_setspecific(key, nil)
            reset(context)
        } else {
            guard let made = make() else { throw CubeError(.io, "zstd: cannot allocate a \(kind) context") }
            context = made
        }
        defer {
            if size(context) <= keptSizeLimit {
                pthread_setspecific(key, UnsafeRawPointer(context))
            } else {
                free(context)
            }
        }
        return try body(context)
    }
}

/// The thread-specific slots of kept contexts; each is freed when its thread exits.
private let compressionKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { ZSTD_freeCCtx(OpaquePointer($0)) }
    return key
}()

private let decompressionKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { ZSTD_freeDCtx(OpaquePointer($0)) }
    return key
}()
