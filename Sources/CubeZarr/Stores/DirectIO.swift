import CDirectIO
import CubeCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reading and writing whole files past the page cache (`O_DIRECT`): the device moves the
/// data straight to or from an aligned buffer, so the kernel neither copies it through cache
/// pages nor keeps them, and a finished write is on the device.
///
/// Why: a rechunk or conversion writes its output once and does not read it back, and
/// reads its intermediates back once. Through the page cache every byte written costs a
/// kernel copy into freshly allocated pages (on virtual machines whose idle memory the host
/// has reclaimed, the first touch of each such page is several times slower than the copy
/// itself), and the cached data counts against the memory limit of the container or cgroup
/// the job runs in.
///
/// How: writes move the value's whole 4096-byte blocks through a 1 MiB aligned staging
/// buffer kept per thread, and the last partial block through the page cache; reads go
/// into an aligned spot of the result buffer in one request and are moved to its start.
/// Where the file system refuses direct I/O (tmpfs, some network file systems), or a
/// request is refused or comes back short, the rest goes through the page cache: the bytes
/// are the same either way.
enum DirectIO {
    /// Alignment of addresses, offsets and lengths of direct requests: a multiple of the
    /// logical block size of every common device (512 or 4096 bytes).
    static let alignment = 4096
    /// Size of each thread's staging buffer and of each direct write.
    static let stagingSize = 1 << 20
    /// Values smaller than this go through the page cache.
    static let minimumSize = 64 << 10

    /// Writes all of `bytes` to `fd`, a file just opened for writing at offset 0: whole
    /// blocks directly when possible, the rest through the page cache. Returns the `errno`
    /// of a failure.
    static func writeAll(_ fd: Int32, _ bytes: [UInt8]) -> Int32? {
        let blocks = bytes.count / alignment * alignment
        guard bytes.count >= minimumSize, let staging = stagingBuffer(), let flags = enableDirect(fd) else {
            return StoreFileSystem.writeAll(fd, bytes)
        }
        var done = 0
        let failure: Int32? = bytes.withUnsafeBytes { source in
            guard let base = source.baseAddress else { return nil }
            while done < blocks {
                let piece = min(stagingSize, blocks - done)
                staging.copyMemory(from: base + done, byteCount: piece)
                let written = write(fd, staging, piece)
                if written < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    // EINVAL: the file system or device wants another alignment; go on buffered.
                    return code == EINVAL ? nil : code
                }
                done += written
                if written < piece { return nil }  // short: the rest goes through the page cache
            }
            return nil
        }
        if let failure { return failure }
        guard fcntl(fd, F_SETFL, flags) == 0 else { return errno }
        return StoreFileSystem.writeAll(fd, bytes, from: done)
    }

    /// The first `count` bytes of `fd` (fewer if the file is shorter), read directly into
    /// a buffer from the calling thread's ``BufferCache``; `nil` when the file system
    /// refuses, so the caller reads through the page cache.
    static func read(_ fd: Int32, count: Int) -> Result<[UInt8], StoreFileSystem.Errno>? {
        guard count >= minimumSize, let flags = enableDirect(fd) else { return nil }
        defer { _ = fcntl(fd, F_SETFL, flags) }
        let length = (count + alignment - 1) / alignment * alignment
        var bytes = BufferCache.take(count: length + alignment)
        let outcome: Result<Int, StoreFileSystem.Errno>? = bytes.withUnsafeMutableBytes { buffer in
            guard let base = buffer.baseAddress else { return nil }
            let start = base + (alignment - Int(bitPattern: base) % alignment) % alignment
            var done = 0
            while done < count {
                let n = pread(fd, start + done, length - done, off_t(done))
                if n < 0 {
                    let code = errno
                    if code == EINTR { continue }
                    return code == EINVAL && done == 0 ? nil : .failure(StoreFileSystem.Errno(code: code))
                }
                if n == 0 { break }
                done += n
                if done % alignment != 0 { break }  // the end of the file
            }
            let got = min(done, count)
            if start != base { base.copyMemory(from: start, byteCount: got) }
            return .success(got)
        }
        switch outcome {
        case nil:
            BufferCache.recycle(bytes)
            return nil
        case .failure(let error)?:
            BufferCache.recycle(bytes)
            return .failure(error)
        case .success(let got)?:
            bytes.removeLast(bytes.count - got)
            return .success(bytes)
        }
    }

    /// Turns on direct I/O for `fd`; returns its previous flags, or `nil` where direct I/O
    /// is unavailable or refused.
    private static func enableDirect(_ fd: Int32) -> Int32? {
        let direct = cube_o_direct()
        let flags = fcntl(fd, F_GETFL)
        guard direct != 0, flags >= 0, fcntl(fd, F_SETFL, flags | direct) == 0 else { return nil }
        return flags
    }

    /// This thread's aligned staging buffer (made on first use, freed when the thread
    /// exits), or `nil` if it cannot be allocated.
    private static func stagingBuffer() -> UnsafeMutableRawPointer? {
        if let kept = pthread_getspecific(stagingKey) { return kept }
        var memory: UnsafeMutableRawPointer?
        guard posix_memalign(&memory, alignment, stagingSize) == 0, let memory else { return nil }
        pthread_setspecific(stagingKey, memory)
        return memory
    }
}

/// The thread-specific slot of each thread's staging buffer; freed when its thread exits.
private let stagingKey: pthread_key_t = {
    var key = pthread_key_t()
    pthread_key_create(&key) { free($0) }
    return key
}()
