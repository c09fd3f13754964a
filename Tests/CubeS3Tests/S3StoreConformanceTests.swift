import CubeS3
import CubeStoreConformance
import CubeZarr
import Testing

/// The shared store conformance checks, run against an S3 store on the moto test server.
@Suite(.enabled(if: S3TestServer.enabled, "needs .venv/s3 (scripts/setup-python)"))
struct S3StoreConformanceTests {
    @Test(arguments: StoreConformance.checks)
    func conformance(check: StoreConformance.Check) throws {
        let server = try S3TestServer.signing.get()
        try check.run(try server.freshStore())
    }
}
