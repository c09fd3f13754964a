import CubeCore
import CubeS3
import CubeTestSupport
import CubeZarr
import Foundation
import Testing

/// The tools that read and write stores in place take `s3://` URLs, with settings from the
/// environment as the AWS tools read them.
@Suite(.enabled(if: S3TestServer.enabled && BuiltTools.directory != nil, "needs .venv/s3 and the built tools"))
struct S3CommandTests {
    /// A small v3 hierarchy (a group with two zstd arrays) written by cube into a fresh
    /// prefix of the test bucket; returns the store and its URL.
    static func hierarchy(_ server: S3TestServer) throws -> (S3Store, String) {
        let store = try server.freshStore()
        try ZarrNode(path: "", kind: .group(GroupMetadata(format: .v3, attributes: ["title": "on S3"]))).write(to: store)
        for name in ["t2m", "tp"] {
            var metadata = ArrayMetadata(format: .v3, shape: [8, 6], chunkShape: [2, 6], dataType: .float32, fillValueJSON: 0,
                                         dimensionNames: ["time", "x"])
            try CodecSpec.zstd(level: 1).apply(to: &metadata)
            let values = (0..<48).map { Float($0) + 0.5 }
            try ZarrArray.create(store, path: name, metadata: metadata)
                .write(try ArrayBuffer(dataType: .float32, shape: [8, 6], bytes: values.withUnsafeBytes { Array($0) }), at: [0, 0])
        }
        return (store, "s3://\(store.root.bucket)/\(store.root.prefix)")
    }

    @Test func infoVerifyAndConsolidateWorkOnS3() throws {
        let server = try S3TestServer.signing.get()
        let (store, url) = try Self.hierarchy(server)
        let info = try BuiltTools.run("cube-info", [url, "--json"], environment: server.environment)
        #expect(info.status == 0, "\(info.output)")
        let paths = try JSON.parse(info.output)["arrays"]?.arrayValue?.compactMap { $0["path"]?.stringValue }
        #expect(paths == ["t2m", "tp"], "\(info.output)")

        let clean = try BuiltTools.run("cube-info", [url, "--verify", "-q"], environment: server.environment)
        #expect(clean.status == 0, "\(clean.output)")
        try store.set("tp/c/1/0", [0x28, 0xB5, 0x2F, 0xFD, 1, 2, 3])
        let damaged = try BuiltTools.run("cube-info", [url, "--verify", "-q"], environment: server.environment)
        #expect(damaged.status == 1)
        #expect(damaged.output.contains("tp/c/1/0"), "\(damaged.output)")

        let stale = try BuiltTools.run("cube-consolidate", ["--check", "-q", url], environment: server.environment)
        #expect(stale.status == 1)
        let written = try BuiltTools.run("cube-consolidate", [url], environment: server.environment)
        #expect(written.status == 0, "\(written.output)")
        let current = try BuiltTools.run("cube-consolidate", ["--check", url], environment: server.environment)
        #expect(current.status == 0, "\(current.output)")
        #expect(try ConsolidatedMetadata.check(store).isCurrent)
    }

    /// A wrong secret is refused by the server, and the secret shows nowhere in what the
    /// tool prints.
    @Test func aWrongSecretFailsWithoutShowingIt() throws {
        let server = try S3TestServer.signing.get()
        let (_, url) = try Self.hierarchy(server)
        let secret = "wrong/Secret+Key=\(UUID().uuidString)"
        var environment = server.environment
        environment["AWS_SECRET_ACCESS_KEY"] = secret
        for arguments in [[url], [url, "--verify"], [url, "--json"]] {
            let run = try BuiltTools.run("cube-info", arguments, environment: environment)
            #expect(run.status == 1, "\(run.output)")
            #expect(run.output.contains("SignatureDoesNotMatch") || run.output.contains("signature"), "\(run.output)")
            #expect(!run.output.contains(secret))
            #expect(!run.output.contains("Signature="))
        }
    }
}
