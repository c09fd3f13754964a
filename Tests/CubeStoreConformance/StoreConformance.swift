import CubeCore
import CubeZarr
import Foundation
import Testing

/// The behaviour every store must share, as checks any store can run: memory and directory
/// stores in CubeZarrTests, the S3 store in CubeS3Tests.
///
/// Each check takes a fresh, empty store and records failures with Swift Testing's
/// `#expect`. A store adds itself by running ``checks`` (for example as the arguments of a
/// parameterized `@Test`).
public enum StoreConformance {
    /// One named check.
    public struct Check: Sendable, CustomTestStringConvertible {
        /// The check's name, shown in test output.
        public let name: String
        /// Runs the check on a fresh, empty store.
        public let run: @Sendable (any Store) throws -> Void

        init(_ name: String, _ run: @escaping @Sendable (any Store) throws -> Void) {
            self.name = name
            self.run = run
        }

        /// The name.
        public var testDescription: String { name }
    }

    /// Every check, in a fixed order.
    public static let checks: [Check] = [
        Check("setGetSizeRoundTrip", setGetSizeRoundTrip),
        Check("overwriteReplacesTheWholeValue", overwriteReplacesTheWholeValue),
        Check("missingKeysAreNil", missingKeysAreNil),
        Check("everyByteRangeForm", everyByteRangeForm),
        Check("invalidByteRangesAreRefused", invalidByteRangesAreRefused),
        Check("emptyValues", emptyValues),
        Check("nestedKeysAndListing", nestedKeysAndListing),
        Check("deleteRemovesValuesAndEmptyDirectories", deleteRemovesValuesAndEmptyDirectories),
        Check("deleteAllRemovesSubtrees", deleteAllRemovesSubtrees),
        Check("unicodeAndDottedKeys", unicodeAndDottedKeys),
        Check("refusedKeys", refusedKeys),
        Check("concurrentWritersToDifferentKeysAllLand", concurrentWritersToDifferentKeysAllLand),
        Check("concurrentWritesSurviveDeletesEmptyingTheirDirectory", concurrentWritesSurviveDeletesEmptyingTheirDirectory),
        Check("largeValues", largeValues),
    ]

    /// Conformance check `setGetSizeRoundTrip` (see ``checks``).
    public static func setGetSizeRoundTrip(_ store: any Store) throws {
        let value = storeTestBytes(1000)
        try store.set("x", value)
        #expect(try store.get("x") == value)
        #expect(try store.size(of: "x") == 1000)
        #expect(try store.keys(under: "") == ["x"])
    }

    /// Conformance check `overwriteReplacesTheWholeValue` (see ``checks``).
    public static func overwriteReplacesTheWholeValue(_ store: any Store) throws {
        try store.set("a/b", storeTestBytes(500))
        try store.set("a/b", [9, 8, 7])
        #expect(try store.get("a/b") == [9, 8, 7])
        #expect(try store.size(of: "a/b") == 3)
        try store.set("a/b", storeTestBytes(2000, start: 3))
        #expect(try store.get("a/b") == storeTestBytes(2000, start: 3))
        #expect(try store.keys(under: "") == ["a/b"])
    }

    /// Conformance check `missingKeysAreNil` (see ``checks``).
    public static func missingKeysAreNil(_ store: any Store) throws {
        try store.set("present/x", [1])
        #expect(try store.get("missing") == nil)
        #expect(try store.get("present/y") == nil)
        #expect(try store.get("present/x/deeper") == nil)
        #expect(try store.get("missing", range: .bounded(offset: 0, length: 1)) == nil)
        #expect(try store.get("missing", range: .suffix(length: 1)) == nil)
        #expect(try store.size(of: "missing") == nil)
        #expect(try store.size(of: "a/b/c") == nil)
        try store.delete("missing")
        try store.delete("missing/deeper")
        try store.deleteAll(under: "missing")
        #expect(try store.keys(under: "missing") == [])
        let children = try store.children(of: "missing")
        #expect(children.keys == [] && children.prefixes == [])
        #expect(try store.keys(under: "") == ["present/x"])
    }

    /// Conformance check `everyByteRangeForm` (see ``checks``).
    public static func everyByteRangeForm(_ store: any Store) throws {
        let value = storeTestBytes(100)
        try store.set("v", value)
        let cases: [(ByteRange, Range<Int>)] = [
            (.bounded(offset: 0, length: 100), 0..<100),
            (.bounded(offset: 10, length: 5), 10..<15),
            (.bounded(offset: 0, length: 0), 0..<0),
            (.bounded(offset: 95, length: 10), 95..<100),
            (.bounded(offset: 100, length: 5), 100..<100),
            (.bounded(offset: 250, length: 1), 100..<100),
            (.bounded(offset: 3, length: Int.max), 3..<100),
            (.bounded(offset: Int.max, length: Int.max), 100..<100),
            (.from(offset: 0), 0..<100),
            (.from(offset: 40), 40..<100),
            (.from(offset: 99), 99..<100),
            (.from(offset: 100), 100..<100),
            (.from(offset: 1000), 100..<100),
            (.suffix(length: 0), 100..<100),
            (.suffix(length: 1), 99..<100),
            (.suffix(length: 10), 90..<100),
            (.suffix(length: 100), 0..<100),
            (.suffix(length: 1000), 0..<100),
            (.suffix(length: Int.max), 0..<100),
        ]
        for (range, expected) in cases {
            #expect(try store.get("v", range: range) == Array(value[expected]), "\(range)")
            #expect(range.clipped(toCount: 100) == expected, "\(range)")
        }
    }

    /// Conformance check `invalidByteRangesAreRefused` (see ``checks``).
    public static func invalidByteRangesAreRefused(_ store: any Store) throws {
        try store.set("v", storeTestBytes(10))
        let invalid: [ByteRange] = [
            .bounded(offset: -1, length: 2), .bounded(offset: 0, length: -1),
            .from(offset: -1), .suffix(length: -1),
        ]
        for range in invalid {
            #expect(!range.isValid)
            #expect(range.clipped(toCount: 10) == nil)
            let error = expectStoreError(.invalidInput) { _ = try store.get("v", range: range) }
            #expect(error?.context == store.location)
            #expect(error?.message.contains("'v'") == true)
            // Refused whether or not the value exists, so every store agrees.
            expectStoreError(.invalidInput) { _ = try store.get("missing", range: range) }
        }
    }

    /// Conformance check `emptyValues` (see ``checks``).
    public static func emptyValues(_ store: any Store) throws {
        try store.set("e", [])
        try store.set("d/e", [])
        #expect(try store.get("e") == [])
        #expect(try store.size(of: "e") == 0)
        #expect(try store.get("e", range: .from(offset: 0)) == [])
        #expect(try store.get("e", range: .bounded(offset: 0, length: 10)) == [])
        #expect(try store.get("e", range: .suffix(length: 5)) == [])
        #expect(try store.get("d/e") == [])
        #expect(try store.keys(under: "") == ["d/e", "e"])
        try store.set("e", [1, 2])
        try store.set("e", [])
        #expect(try store.get("e") == [])
    }

    /// Conformance check `nestedKeysAndListing` (see ``checks``).
    public static func nestedKeysAndListing(_ store: any Store) throws {
        let keys = [
            "t2m/c/1/0", "t2m/.zarray", "t2m/c/0/1", "t2m/c/0/0", "t2m/.zattrs",
            "zarr.json", "lat/zarr.json", "lat/c/0", "t2m.bak", "t2m-old/x",
        ]
        for (i, key) in keys.enumerated() { try store.set(key, [UInt8(i)]) }
        #expect(try store.keys(under: "") == keys.sorted())
        #expect(try store.keys(under: "t2m") == [
            "t2m/.zarray", "t2m/.zattrs", "t2m/c/0/0", "t2m/c/0/1", "t2m/c/1/0",
        ])
        #expect(try store.keys(under: "t2m/c") == ["t2m/c/0/0", "t2m/c/0/1", "t2m/c/1/0"])
        #expect(try store.keys(under: "t2m/c/0") == ["t2m/c/0/0", "t2m/c/0/1"])
        // A value is not a prefix.
        #expect(try store.keys(under: "zarr.json") == [])
        #expect(try store.keys(under: "t2m/c/0/0") == [])

        let top = try store.children(of: "")
        #expect(top.keys == ["t2m.bak", "zarr.json"])
        #expect(top.prefixes == ["lat", "t2m", "t2m-old"])
        let t2m = try store.children(of: "t2m")
        #expect(t2m.keys == [".zarray", ".zattrs"])
        #expect(t2m.prefixes == ["c"])
        let chunks = try store.children(of: "t2m/c")
        #expect(chunks.keys == [])
        #expect(chunks.prefixes == ["0", "1"])
        let row = try store.children(of: "t2m/c/0")
        #expect(row.keys == ["0", "1"])
        #expect(row.prefixes == [])
        for (i, key) in keys.enumerated() { #expect(try store.get(key) == [UInt8(i)]) }
    }

    /// Conformance check `deleteRemovesValuesAndEmptyDirectories` (see ``checks``).
    public static func deleteRemovesValuesAndEmptyDirectories(_ store: any Store) throws {
        for key in ["g/a/c/0/0", "g/a/c/0/1", "g/a/.zarray", "g/.zgroup", "other"] {
            try store.set(key, [1])
        }
        try store.delete("g/a/c/0/0")
        #expect(try store.get("g/a/c/0/0") == nil)
        #expect(try store.keys(under: "g/a/c") == ["g/a/c/0/1"])
        try store.delete("g/a/c/0/0")  // again: fine
        try store.delete("g/a/c/0/1")
        #expect(try store.keys(under: "g") == ["g/.zgroup", "g/a/.zarray"])
        #expect(try store.children(of: "g/a").prefixes == [])
        if let directory = store as? DirectoryStore {
            var isDirectory: ObjCBool = false
            #expect(!FileManager.default.fileExists(atPath: directory.rootPath + "/g/a/c"))
            #expect(FileManager.default.fileExists(atPath: directory.rootPath + "/g/a", isDirectory: &isDirectory) && isDirectory.boolValue)
            try store.delete("g/a/.zarray")
            try store.delete("g/.zgroup")
            #expect(!FileManager.default.fileExists(atPath: directory.rootPath + "/g"))
            #expect(FileManager.default.fileExists(atPath: directory.rootPath, isDirectory: &isDirectory) && isDirectory.boolValue)
            try store.set("g/.zgroup", [1])
        }
        #expect(try store.get("other") == [1])
    }

    /// Conformance check `deleteAllRemovesSubtrees` (see ``checks``).
    public static func deleteAllRemovesSubtrees(_ store: any Store) throws {
        let keys = ["a/b/c/0", "a/b/c/1", "a/b/d", "a/e", "a.b", "ab/c", "z"]
        for key in keys { try store.set(key, [7]) }
        try store.deleteAll(under: "a/b/c")
        #expect(try store.keys(under: "") == ["a.b", "a/b/d", "a/e", "ab/c", "z"])
        try store.deleteAll(under: "a")
        #expect(try store.keys(under: "") == ["a.b", "ab/c", "z"])
        try store.deleteAll(under: "nothing/here")
        try store.deleteAll(under: "z")  // a value is not a prefix: it stays
        #expect(try store.get("z") == [7])
        if let directory = store as? DirectoryStore {
            #expect(!FileManager.default.fileExists(atPath: directory.rootPath + "/a"))
        }
        try store.deleteAll(under: "")
        #expect(try store.keys(under: "") == [])
        if let directory = store as? DirectoryStore {
            #expect(try FileManager.default.contentsOfDirectory(atPath: directory.rootPath) == [])
            try store.set("again", [1])  // the root itself survives
            #expect(try store.get("again") == [1])
        }
    }

    /// Conformance check `unicodeAndDottedKeys` (see ``checks``).
    public static func unicodeAndDottedKeys(_ store: any Store) throws {
        let keys = [
            "a/.zarray", "a/.zattrs", "c/0.1.2", "c/0.0.0", "température/zarr.json",
            "名前/c/0", "emoji😀/..x", "a/...", "a/.hidden.", "sp ace/x y",
        ]
        for (i, key) in keys.enumerated() { try store.set(key, storeTestBytes(i + 1, start: i)) }
        for (i, key) in keys.enumerated() {
            #expect(try store.get(key) == storeTestBytes(i + 1, start: i), "\(key)")
            #expect(try store.size(of: key) == i + 1, "\(key)")
        }
        #expect(try store.keys(under: "") == keys.sorted())
        #expect(try store.keys(under: "température") == ["température/zarr.json"])
        #expect(try store.children(of: "c").keys == ["0.0.0", "0.1.2"])
        #expect(try store.children(of: "a").keys == ["...", ".hidden.", ".zarray", ".zattrs"])
        #expect(try store.children(of: "").prefixes == ["a", "c", "emoji😀", "sp ace", "température", "名前"])
    }

    /// Conformance check `refusedKeys` (see ``checks``).
    public static func refusedKeys(_ store: any Store) throws {
        let bad = ["../x", "/abs", "a//b", "a/./b", "a\\b", "a/..", "..", ".", "a/", "a/b/", "x/../../y", "a\u{0}b"]
        for key in bad {
            let error = expectStoreError(.invalidInput) { try store.set(key, [1]) }
            #expect(error?.context == store.location, "\(key)")
            #expect(error?.message.contains(key) == true, "\(key)")
            expectStoreError(.invalidInput) { _ = try store.get(key) }
            expectStoreError(.invalidInput) { _ = try store.get(key, range: .from(offset: 0)) }
            expectStoreError(.invalidInput) { _ = try store.size(of: key) }
            expectStoreError(.invalidInput) { try store.delete(key) }
            expectStoreError(.invalidInput) { try store.deleteAll(under: key) }
            expectStoreError(.invalidInput) { _ = try store.keys(under: key) }
            expectStoreError(.invalidInput) { _ = try store.children(of: key) }
        }
        // The empty key names the root, not a value.
        expectStoreError(.invalidInput) { try store.set("", [1]) }
        expectStoreError(.invalidInput) { _ = try store.get("") }
        expectStoreError(.invalidInput) { try store.delete("") }
        let remaining = try store.keys(under: "")
        #expect(remaining.isEmpty)
    }

    /// Conformance check `concurrentWritersToDifferentKeysAllLand` (see ``checks``).
    public static func concurrentWritersToDifferentKeysAllLand(_ store: any Store) throws {
        let threads = 8
        let perThread = 40
        let failures = StoreTestBox<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for i in 0..<perThread {
                do {
                    // Every thread writes into the same, initially missing, directories.
                    try store.set("arr/c/\(i % 5)/\(thread).\(i)", storeTestBytes(64 + i, start: thread))
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        let failed = failures.withLock { $0 }
        let failureCount = failed.count
        #expect(failureCount == 0, "first failures: \(failed.prefix(3))")
        let keys = try store.keys(under: "arr")
        #expect(keys.count == threads * perThread)
        for thread in 0..<threads {
            for i in 0..<perThread {
                #expect(try store.get("arr/c/\(i % 5)/\(thread).\(i)") == storeTestBytes(64 + i, start: thread))
            }
        }
    }

    /// Conformance check `concurrentWritesSurviveDeletesEmptyingTheirDirectory` (see ``checks``).
    public static func concurrentWritesSurviveDeletesEmptyingTheirDirectory(_ store: any Store) throws {
        let threads = 8
        let rounds = 60
        let failures = StoreTestBox<[String]>([])
        DispatchQueue.concurrentPerform(iterations: threads) { thread in
            for round in 0..<rounds {
                do {
                    // Deletes keep emptying (and so removing) `p/q` while others write into it.
                    try store.set("p/q/\(thread)", storeTestBytes(16, start: round))
                    if round < rounds - 1 { try store.delete("p/q/\(thread)") }
                } catch {
                    failures.withLock { $0.append("\(error)") }
                }
            }
        }
        let failed = failures.withLock { $0 }
        let failureCount = failed.count
        #expect(failureCount == 0, "first failures: \(failed.prefix(3))")
        let expectedKeys = (0..<threads).map { "p/q/\($0)" }.sorted()
        let listed = try store.keys(under: "p")
        #expect(listed == expectedKeys)
        let last = storeTestBytes(16, start: rounds - 1)
        for thread in 0..<threads {
            let value = try store.get("p/q/\(thread)")
            #expect(value == last)
        }
    }

    /// Conformance check `largeValues` (see ``checks``).
    public static func largeValues(_ store: any Store) throws {
        let value = storeTestBytes(8 << 20, start: 11)
        try store.set("big/c/0", value)
        #expect(try store.size(of: "big/c/0") == value.count)
        #expect(try store.get("big/c/0") == value)
        let middle = try store.get("big/c/0", range: .bounded(offset: 3_000_001, length: 1 << 20))
        #expect(middle == Array(value[3_000_001..<(3_000_001 + (1 << 20))]))
        #expect(try store.get("big/c/0", range: .suffix(length: 5)) == Array(value.suffix(5)))
    }
}
