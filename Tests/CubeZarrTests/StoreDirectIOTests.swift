import CDirectIO
import CubeCore
import CubeStoreConformance
import CubeZarr
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// ``DirectoryStore/bypassPageCache``: large values written and read past the page cache
/// are the same bytes, and do not stay in it.
@Suite struct StoreDirectIOTests {
    /// Sizes around the thresholds: below 64 KiB (page cache), whole 4096-byte blocks,
    /// a partial last block, more than one 1 MiB staging buffer.
    static let sizes = [0, 1, 65_535, 65_536, 65_537, 4096 * 300, 1 << 20, (1 << 20) + 4095, (3 << 20) + 17]

    @Test(arguments: [false, true])
    func valuesRoundTripByteForByte(atomic: Bool) throws {
        try withStoreTemporaryDirectory { path in
            let direct = try DirectoryStore(path: path + "/store.zarr", create: true, atomicWrites: atomic, bypassPageCache: true)
            let buffered = try DirectoryStore(path: path + "/store.zarr")
            for (index, size) in Self.sizes.enumerated() {
                let value = storeTestBytes(size, start: index * 7)
                try direct.set("v/\(size)", value)
                #expect(try direct.size(of: "v/\(size)") == size)
                #expect(try direct.get("v/\(size)") == value, "direct read of \(size) bytes")
                #expect(try buffered.get("v/\(size)") == value, "buffered read of \(size) bytes")
                #expect(try direct.get("v/\(size)", range: .suffix(length: 3)) == Array(value.suffix(3)))
            }
            // Overwriting a longer value with a shorter one leaves exactly the shorter one.
            let largest = "v/\(Self.sizes.max() ?? 0)"
            try direct.set(largest, storeTestBytes(70_000, start: 3))
            #expect(try buffered.get(largest) == storeTestBytes(70_000, start: 3))
            #expect(try direct.keys(under: "").count == Self.sizes.count)
        }
    }

    /// A direct write leaves (almost) nothing in the page cache, where the file system
    /// supports direct I/O; a buffered one leaves the file resident.
    @Test func directWritesStayOutOfThePageCache() throws {
        try withStoreTemporaryDirectory { path in
            guard Self.supportsDirectIO(in: path) else { return }  // tmpfs and others: checked above for bytes only
            let direct = try DirectoryStore(path: path + "/direct", create: true, atomicWrites: false, bypassPageCache: true)
            let buffered = try DirectoryStore(path: path + "/buffered", create: true, atomicWrites: false)
            let value = storeTestBytes(4 << 20)
            try direct.set("chunk", value)
            try buffered.set("chunk", value)
            let directPages = try Self.residentPages(try direct.filePath(for: "chunk"))
            let bufferedPages = try Self.residentPages(try buffered.filePath(for: "chunk"))
            #expect(bufferedPages.resident == bufferedPages.total)
            #expect(directPages.resident <= 1, "\(directPages.resident) of \(directPages.total) pages cached after a direct write")
        }
    }

    /// Whether a file in `directory` can be opened for direct I/O.
    static func supportsDirectIO(in directory: String) -> Bool {
        let probe = directory + "/.direct-probe"
        let fd = open(probe, O_WRONLY | O_CREAT | cube_o_direct(), 0o600)
        defer { unlink(probe) }
        guard fd >= 0, cube_o_direct() != 0 else { return false }
        close(fd)
        return true
    }

    /// How many of the file's pages are in the page cache (`mincore` over a mapping).
    static func residentPages(_ path: String) throws -> (resident: Int, total: Int) {
        let fd = open(path, O_RDONLY)
        try #require(fd >= 0)
        defer { close(fd) }
        var info = stat()
        try #require(fstat(fd, &info) == 0)
        let size = Int(info.st_size)
        let pageSize = Int(sysconf(Int32(_SC_PAGESIZE)))
        let pages = (size + pageSize - 1) / pageSize
        let mapping = try #require(mmap(nil, size, PROT_READ, MAP_SHARED, fd, 0))
        try #require(mapping != MAP_FAILED)
        defer { munmap(mapping, size) }
        var vector = [UInt8](repeating: 0, count: pages)
        try #require(mincore(mapping, size, &vector) == 0)
        return (vector.filter { $0 & 1 != 0 }.count, pages)
    }
}
