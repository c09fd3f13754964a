import CubeCore
import CubeZarr
import Foundation
import Testing

/// Only a missing key reads as fill values: anything else in a chunk's place, or a failing
/// read, is an error naming the chunk's key.
@Suite struct StrictReadTests {
    /// A 4×4 float32 array in 2×2 chunks with every chunk written, in a directory store.
    private func withWrittenArray(_ body: (DirectoryStore, ZarrArray) throws -> Void) throws {
        try withStoreTemporaryDirectory { base in
            let store = try DirectoryStore(path: base + "/a.zarr", create: true)
            var metadata = ArrayMetadata(format: .v3, shape: [4, 4], chunkShape: [2, 2], dataType: .float32, fillValueJSON: 0)
            try CodecSpec.zstd(level: 1).apply(to: &metadata)
            let array = try ZarrArray.create(store, path: "x", metadata: metadata)
            try array.write(try sampleBuffer(.float32, shape: [4, 4], offset: 1), at: [0, 0])
            try body(store, array)
        }
    }

    @Test func aChunkThatIsADirectoryIsAnErrorNamingItsKey() throws {
        try withWrittenArray { store, array in
            let key = array.chunkKey([1, 0])
            let path = try store.filePath(for: key)
            try FileManager.default.removeItem(atPath: path)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: false)
            let error = expectCubeError("reading a directory chunk") { try array.readAll() }
            #expect(error?.kind == .invalidInput)
            #expect(error?.description.contains(key) == true, "\(String(describing: error))")
        }
    }

    @Test func aChunkThatIsAFIFOIsAnErrorNamingItsKey() throws {
        try withWrittenArray { store, array in
            let key = array.chunkKey([0, 1])
            let path = try store.filePath(for: key)
            try FileManager.default.removeItem(atPath: path)
            #expect(mkfifo(path, 0o644) == 0)
            let error = expectCubeError("reading a FIFO chunk") { try array.readAll() }
            #expect(error?.description.contains(key) == true, "\(String(describing: error))")
        }
    }

    @Test func anUnreadableChunkIsAnErrorNamingItsKey() throws {
        try withWrittenArray { store, array in
            let key = array.chunkKey([1, 1])
            let path = try store.filePath(for: key)
            #expect(chmod(path, 0) == 0)
            defer { _ = chmod(path, 0o644) }
            guard open(path, O_RDONLY) < 0 else { return }  // root reads it anyway: nothing to check
            let error = expectCubeError("reading an unreadable chunk") { try array.readAll() }
            #expect(error?.kind == .io)
            #expect(error?.description.contains(key) == true, "\(String(describing: error))")
        }
    }

    @Test func aFailingReadIsNotAMissingChunk() throws {
        let base = MemoryStore()
        let metadata = ArrayMetadata(format: .v2, shape: [4], chunkShape: [2], dataType: .int32, fillValueJSON: 0)
        let written = try ZarrArray.create(base, path: "x", metadata: metadata)
        try written.write(try sampleBuffer(.int32, shape: [4], offset: 1), at: [0])
        let failingKey = written.chunkKey([1])
        let store = FailingReadStore(base: base, failingKey: failingKey)
        let array = try ZarrArray.open(store, path: "x")
        let error = expectCubeError("reading through an I/O error") { try array.readAll() }
        #expect(error?.kind == .io)
        #expect(error?.description.contains(failingKey) == true, "\(String(describing: error))")
    }
}

/// A store whose reads of one key fail as a bad disk sector would (EIO).
final class FailingReadStore: Store, @unchecked Sendable {
    let base: any Store
    let failingKey: String
    var location: String { "failing-read-store" }

    init(base: any Store, failingKey: String) {
        self.base = base
        self.failingKey = failingKey
    }

    private func check(_ key: String) throws {
        if key == failingKey { throw CubeError(.io, "cannot read '\(key)': Input/output error", context: location) }
    }

    func get(_ key: String) throws -> [UInt8]? { try check(key); return try base.get(key) }
    func get(_ key: String, range: ByteRange) throws -> [UInt8]? { try check(key); return try base.get(key, range: range) }
    func size(of key: String) throws -> Int? { try check(key); return try base.size(of: key) }
    func set(_ key: String, _ bytes: [UInt8]) throws { try base.set(key, bytes) }
    func delete(_ key: String) throws { try base.delete(key) }
    func deleteAll(under prefix: String) throws { try base.deleteAll(under: prefix) }
    func keys(under prefix: String) throws -> [String] { try base.keys(under: prefix) }
    func children(of prefix: String) throws -> (keys: [String], prefixes: [String]) { try base.children(of: prefix) }
}
