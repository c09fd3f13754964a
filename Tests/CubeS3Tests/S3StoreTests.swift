import CubeCore
import CubeS3
import CubeStoreConformance
import CubeZarr
import Foundation
import Testing

/// The S3 store and client against the moto test server, signatures checked.
@Suite(.enabled(if: S3TestServer.enabled, "needs .venv/s3 (scripts/setup-python)"))
struct S3StoreTests {
    @Test func rangedAndSuffixReads() throws {
        let store = try S3TestServer.signing.get().freshStore()
        let value = storeTestBytes(70_000, start: 5)
        try store.set("shard", value)
        #expect(try store.get("shard", range: .bounded(offset: 65_536, length: 100)) == Array(value[65_536..<65_636]))
        #expect(try store.get("shard", range: .from(offset: 69_990)) == Array(value[69_990...]))
        #expect(try store.get("shard", range: .suffix(length: 16)) == Array(value.suffix(16)))
        #expect(try store.get("shard", range: .suffix(length: 0)) == [])
        #expect(try store.get("gone", range: .suffix(length: 0)) == nil)
    }

    @Test func listingPagesThrough2500Keys() throws {
        let server = try S3TestServer.signing.get()
        let store = try server.freshStore()
        let keys = (0..<2500).map { "a/c/\($0 / 100)/\($0 % 100)" }
        DispatchQueue.concurrentPerform(iterations: 10) { worker in
            for key in keys[(worker * 250)..<((worker + 1) * 250)] { try? store.set(key, [1]) }
        }
        try store.set("a/zarr.json", [2])
        #expect(try store.keys(under: "a/c") == keys.sorted())
        #expect(try store.keys(under: "").count == 2501)
        let top = try store.children(of: "a/c")
        #expect(top.prefixes == (0..<25).map(String.init).sorted())
        let (names, prefixes) = try store.children(of: "a")
        #expect(names == ["zarr.json"] && prefixes == ["c"])
        // Batch delete, in pages of 1,000 keys.
        try store.deleteAll(under: "a/c")
        #expect(try store.keys(under: "") == ["a/zarr.json"])
    }

    @Test func conditionalCreateHasExactlyOneWinner() throws {
        let store = try S3TestServer.signing.get().freshStore()
        let wins = StoreTestBox(0)
        let failures = StoreTestBox<[String]>([])
        DispatchQueue.concurrentPerform(iterations: 2) { writer in
            do {
                if try store.setIfAbsent("lock", [UInt8(writer)]) { wins.withLock { $0 += 1 } }
            } catch {
                failures.withLock { $0.append("\(error)") }
            }
        }
        #expect(failures.withLock { $0 } == [])
        #expect(wins.withLock { $0 } == 1)
        #expect(try store.setIfAbsent("lock", [9]) == false)
        #expect(try store.get("lock")?.count == 1)
    }

    @Test func multipartUploadOf12MiB() throws {
        let server = try S3TestServer.signing.get()
        let store = try server.freshStore(client: server.client(multipartThreshold: 5 << 20))
        let value = storeTestBytes(12 << 20, start: 3)
        try store.set("big", value)
        #expect(try store.size(of: "big") == value.count)
        #expect(try store.get("big") == value)
        #expect(try store.get("big", range: .bounded(offset: (5 << 20) - 2, length: 4)) == Array(value[((5 << 20) - 2)..<((5 << 20) + 2)]))
    }

    @Test func batchDeleteOfManyKeys() async throws {
        let server = try S3TestServer.signing.get()
        let client = server.client()
        let prefix = "batch-\(UUID().uuidString)/"
        let keys = (0..<1200).map { "\(prefix)k \($0)+=é" }
        try await withThrowingTaskGroup(of: Void.self) { group in
            for chunk in stride(from: 0, to: keys.count, by: 100) {
                group.addTask { for key in keys[chunk..<min(chunk + 100, keys.count)] { try await client.put([7], bucket: server.bucket, key: key) } }
            }
            try await group.waitForAll()
        }
        #expect(try await client.listAll(bucket: server.bucket, prefix: prefix).keys.count == 1200)
        try await client.deleteObjects(bucket: server.bucket, keys: keys)
        #expect(try await client.listAll(bucket: server.bucket, prefix: prefix).keys == [])
    }

    @Test func wrongSecretFailsWithSignatureDoesNotMatchAndLeaksNothing() throws {
        let server = try S3TestServer.signing.get()
        let id = try #require(server.credentials?.accessKeyID)
        let secret = "wrong/Secret+With=Signs/\(UUID().uuidString)"
        let client = server.client(credentials: S3Credentials(accessKeyID: id, secretAccessKey: secret),
                                   retry: S3RetryPolicy(maxAttempts: 2, baseDelay: 0.01))
        let store = try S3Store(client: client, root: S3Location(bucket: server.bucket, prefix: "nope"))
        var rendered: [String] = ["\(client)", "\(store)", "\(client.settings)", String(reflecting: client.settings)]
        let operations: [() throws -> Void] = [
            { _ = try store.get("k") }, { _ = try store.get("k", range: .suffix(length: 4)) },
            { _ = try store.size(of: "k") }, { try store.set("k", [1]) }, { _ = try store.setIfAbsent("k", [1]) },
            { try store.delete("k") }, { _ = try store.keys(under: "") }, { _ = try store.children(of: "") },
            { try store.deleteAll(under: "") },
        ]
        for operation in operations {
            do {
                try operation()
                Issue.record("a request signed with the wrong secret succeeded")
            } catch let error as CubeError {
                rendered += ["\(error)", String(reflecting: error), error.message, error.context ?? ""]
            }
        }
        #expect(rendered.contains { $0.contains("SignatureDoesNotMatch") })
        #expect(rendered.contains { $0.contains("s3://\(server.bucket)/nope/k") })
        let hex64 = try Regex("[0-9a-f]{64}")
        for text in rendered {
            #expect(!text.contains(secret), "\(text)")
            #expect(!text.contains("Signature="), "\(text)")
            #expect(text.firstMatch(of: hex64) == nil, "\(text)")
        }
    }

    @Test func anonymousAccessSendsUnsignedRequests() throws {
        let server = try S3TestServer.anonymous.get()
        let settings = try S3Settings.resolve(environment: ["AWS_NO_SIGN_REQUEST": "true",
                                                            "AWS_ENDPOINT_URL_S3": server.endpoint.absoluteString]) { _ in nil }
        #expect(settings.isAnonymous)
        let store = try S3Store(client: S3Client(settings: settings), root: S3Location(bucket: server.publicBucket))
        #expect(try store.get("hello.txt") == Array("hello, anyone".utf8))
        #expect(try store.keys(under: "") == ["hello.txt"])
    }
}
