import CubeCore
import CubeStoreConformance
import CubeZarr
import Foundation
import Testing

/// Behaviour particular to ``DirectoryStore``: the file system, links and atomic writes.
@Suite struct StoreDirectoryTests {
    /// Runs `body` with a store at `<tmp>/root` and an existing directory `<tmp>/outside`
    /// holding the file `secret`.
    private func withRootAndOutside(_ body: (DirectoryStore, String) throws -> Void) throws {
        try withStoreTemporaryDirectory { base in
            let outside = base + "/outside"
            try FileManager.default.createDirectory(atPath: outside, withIntermediateDirectories: true)
            try Data("secret".utf8).write(to: URL(fileURLWithPath: outside + "/secret"))
            try body(DirectoryStore(path: base + "/root", create: true), outside)
        }
    }

    @Test func initChecksTheRoot() throws {
        try withStoreTemporaryDirectory { base in
            let missing = expectStoreError(.notFound) { _ = try DirectoryStore(path: base + "/missing") }
            #expect(missing?.context == base + "/missing")
            let store = try DirectoryStore(path: base + "/made/deep/store.zarr", create: true)
            #expect(store.location == base + "/made/deep/store.zarr")
            try store.set("k", [1])
            #expect(FileManager.default.fileExists(atPath: base + "/made/deep/store.zarr/k"))
            // Opening again without `create` finds what is there.
            #expect(try DirectoryStore(path: base + "/made/deep/store.zarr").get("k") == [1])
            // `create` on an existing directory is fine.
            #expect(try DirectoryStore(path: base + "/made/deep/store.zarr", create: true).get("k") == [1])
            try Data([1]).write(to: URL(fileURLWithPath: base + "/file"))
            expectStoreError(.invalidArgument) { _ = try DirectoryStore(path: base + "/file") }
            expectStoreError(.io) { _ = try DirectoryStore(path: base + "/file/sub", create: true) }
        }
    }

    @Test func valuesAreFilesAtTheirKeys() throws {
        try withRootAndOutside { store, _ in
            try store.set("t2m/c/0/1", [1, 2, 3])
            let path = try store.filePath(for: "t2m/c/0/1")
            #expect(path == store.rootPath + "/t2m/c/0/1")
            #expect(FileManager.default.contents(atPath: path) == Data([1, 2, 3]))
            // A file written by someone else is a value.
            try Data([4, 5]).write(to: URL(fileURLWithPath: store.rootPath + "/t2m/.zarray"))
            #expect(try store.get("t2m/.zarray") == [4, 5])
            // A directory where a value is asked for is damage, not a missing key.
            let directoryRead = expectStoreError(.invalidInput) { _ = try store.get("t2m/c") }
            #expect(directoryRead?.message.contains("'t2m/c' is a directory") == true)
            expectStoreError(.invalidInput) { _ = try store.get("t2m/c", range: .from(offset: 0)) }
            expectStoreError(.invalidInput) { _ = try store.size(of: "t2m/c") }
            try store.delete("t2m/c")
            #expect(try store.get("t2m/c/0/1") == [1, 2, 3])
        }
    }

    @Test func keyAndPrefixConflictsAreErrors() throws {
        try withRootAndOutside { store, _ in
            try store.set("v", [1])
            let below = expectStoreError(.conflict) { try store.set("v/w", [2]) }
            #expect(below?.message.contains("v/w") == true)
            expectStoreError(.conflict) { try store.set("v/w/x", [2]) }
            try store.set("d/e", [3])
            let over = expectStoreError(.conflict) { try store.set("d", [4]) }
            #expect(over?.message.contains("'d'") == true)
            #expect(try store.get("v") == [1])
            #expect(try store.get("d/e") == [3])
            #expect(try store.keys(under: "") == ["d/e", "v"])
        }
    }

    @Test func linkLeadingOutsideIsRefused() throws {
        try withRootAndOutside { store, outside in
            let fm = FileManager.default
            try fm.createSymbolicLink(atPath: store.rootPath + "/out", withDestinationPath: outside)
            try fm.createSymbolicLink(atPath: store.rootPath + "/secret-link", withDestinationPath: outside + "/secret")
            try fm.createDirectory(atPath: store.rootPath + "/a", withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: store.rootPath + "/a/up", withDestinationPath: "../../outside")

            for key in ["out/secret", "secret-link", "a/up/secret"] {
                let error = expectStoreError(.invalidInput) { _ = try store.get(key) }
                #expect(error?.context == store.location)
                #expect(error?.message.contains(key) == true)
                expectStoreError(.invalidInput) { _ = try store.get(key, range: .suffix(length: 2)) }
                expectStoreError(.invalidInput) { _ = try store.size(of: key) }
                expectStoreError(.invalidInput) { try store.delete(key) }
            }
            for key in ["out/new", "out/secret", "a/up/new/deeper", "secret-link"] {
                expectStoreError(.invalidInput) { try store.set(key, [6, 6, 6]) }
            }
            expectStoreError(.invalidInput) { _ = try store.keys(under: "out") }
            expectStoreError(.invalidInput) { _ = try store.children(of: "a/up") }
            expectStoreError(.invalidInput) { try store.deleteAll(under: "out") }

            // Nothing outside was read, written or removed, and listing skips the links.
            #expect(try fm.contentsOfDirectory(atPath: outside) == ["secret"])
            #expect(fm.contents(atPath: outside + "/secret") == Data("secret".utf8))
            #expect(try store.keys(under: "") == [])
            #expect(try store.children(of: "").prefixes == ["a"])
            #expect(try store.children(of: "").keys == [])

            // Removing everything removes the links themselves, not what they point to.
            try store.deleteAll(under: "")
            #expect(try fm.contentsOfDirectory(atPath: store.rootPath) == [])
            #expect(fm.contents(atPath: outside + "/secret") == Data("secret".utf8))
        }
    }

    /// A directory already read from is not resolved again, but a link in it still is:
    /// one leading outside is refused, one staying inside is followed.
    @Test func linkPlantedInAKnownDirectoryIsChecked() throws {
        try withRootAndOutside { store, outside in
            let fm = FileManager.default
            try store.set("d/x", [1])
            #expect(try store.get("d/x") == [1])
            try fm.createSymbolicLink(atPath: store.rootPath + "/d/leak", withDestinationPath: outside + "/secret")
            try fm.createSymbolicLink(atPath: store.rootPath + "/d/same", withDestinationPath: "x")
            expectStoreError(.invalidInput) { _ = try store.get("d/leak") }
            expectStoreError(.invalidInput) { _ = try store.size(of: "d/leak") }
            #expect(try store.get("d/same") == [1])
            // The directory swapped for a link leading outside after a delete is refused too.
            try store.delete("d/x")
            try fm.removeItem(atPath: store.rootPath + "/d")
            try fm.createSymbolicLink(atPath: store.rootPath + "/d", withDestinationPath: outside)
            expectStoreError(.invalidInput) { _ = try store.get("d/secret") }
        }
    }

    /// New directories below a known one are checked level by level: real ones are read
    /// through, a link among them leading outside is refused.
    @Test func linkBelowAKnownDirectoryIsChecked() throws {
        try withRootAndOutside { store, outside in
            let fm = FileManager.default
            try store.set("d/x", [1])
            #expect(try store.get("d/x") == [1])
            try fm.createDirectory(atPath: store.rootPath + "/d/t/0", withIntermediateDirectories: true)
            #expect(fm.createFile(atPath: store.rootPath + "/d/t/0/v", contents: Data([7])))
            #expect(try store.get("d/t/0/v") == [7])
            try fm.createDirectory(atPath: store.rootPath + "/d/u", withIntermediateDirectories: true)
            try fm.createSymbolicLink(atPath: store.rootPath + "/d/u/0", withDestinationPath: outside)
            expectStoreError(.invalidInput) { _ = try store.get("d/u/0/secret") }
            expectStoreError(.invalidInput) { _ = try store.size(of: "d/u/0/secret") }
        }
    }

    @Test func linkStayingInsideIsFollowed() throws {
        try withRootAndOutside { store, _ in
            let fm = FileManager.default
            try store.set("real/x", [1])
            try fm.createSymbolicLink(atPath: store.rootPath + "/alias", withDestinationPath: "real")
            try fm.createSymbolicLink(atPath: store.rootPath + "/x-link", withDestinationPath: store.rootPath + "/real/x")
            #expect(try store.get("alias/x") == [1])
            #expect(try store.get("x-link") == [1])
            #expect(try store.size(of: "alias/x") == 1)
            try store.set("alias/y", [2])
            #expect(try store.get("real/y") == [2])
            #expect(try store.keys(under: "") == ["alias/x", "alias/y", "real/x", "real/y", "x-link"])
            #expect(try store.children(of: "") == (keys: ["x-link"], prefixes: ["alias", "real"]))
            // deleteAll through a link removes the link, not its target's contents.
            try store.deleteAll(under: "alias")
            #expect(!fm.fileExists(atPath: store.rootPath + "/alias"))
            #expect(try store.get("real/y") == [2])
            // A link back to an ancestor does not make listing endless.
            try fm.createSymbolicLink(atPath: store.rootPath + "/real/loop", withDestinationPath: "..")
            #expect(try store.keys(under: "") == ["real/x", "real/y", "x-link"])
            #expect(try store.get("real/loop/real/x") == [1])
        }
    }

    @Test func temporaryFilesAreNotListed() throws {
        try withRootAndOutside { store, _ in
            try store.set("a/b", [1])
            try Data([9]).write(to: URL(fileURLWithPath: store.rootPath + "/.tmp-0123456789abcdef"))
            try Data([9]).write(to: URL(fileURLWithPath: store.rootPath + "/a/.tmp-leftover"))
            #expect(try store.keys(under: "") == ["a/b"])
            #expect(try store.children(of: "") == (keys: [], prefixes: ["a"]))
            #expect(try store.children(of: "a") == (keys: ["b"], prefixes: []))
            expectStoreError(.invalidInput) { try store.set("a/.tmp-mine", [1]) }
            // A successful write leaves no temporary behind.
            for i in 0..<20 { try store.set("a/b", storeTestBytes(i)) }
            #expect(try FileManager.default.contentsOfDirectory(atPath: store.rootPath + "/a").sorted() == [".tmp-leftover", "b"])
        }
    }

    @Test func atomicReplaceNeverExposesPartialContent() throws {
        try withRootAndOutside { store, _ in
            let old = [UInt8](repeating: 1, count: 1 << 18)
            let new = [UInt8](repeating: 2, count: (1 << 18) + 4099)
            try store.set("chunk", old)
            let done = StoreTestBox(false)
            let failures = StoreTestBox<[String]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { worker in
                if worker == 0 {
                    for i in 0..<100 {
                        do { try store.set("chunk", i % 2 == 0 ? new : old) } catch {
                            failures.withLock { $0.append("write: \(error)") }
                        }
                    }
                    done.withLock { $0 = true }
                    return
                }
                var reads = 0
                while reads < 50 || !done.withLock({ $0 }) {
                    reads += 1
                    do {
                        let value = try store.get("chunk")
                        if value != old && value != new {
                            failures.withLock { $0.append("read \(value?.count ?? -1) bytes of neither value") }
                        }
                        let tail = try store.get("chunk", range: .suffix(length: 8))
                        if tail != [UInt8](repeating: 1, count: 8) && tail != [UInt8](repeating: 2, count: 8) {
                            failures.withLock { $0.append("read a mixed tail \(String(describing: tail))") }
                        }
                    } catch {
                        failures.withLock { $0.append("read: \(error)") }
                    }
                }
            }
            let failed = failures.withLock { $0 }
            let failureCount = failed.count
            #expect(failureCount == 0, "first failures: \(failed.prefix(3))")
            #expect(try store.get("chunk") == old)
            #expect(try store.keys(under: "") == ["chunk"])
        }
    }
}
