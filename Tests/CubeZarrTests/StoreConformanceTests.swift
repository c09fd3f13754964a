import CubeStoreConformance
import CubeZarr
import Testing

/// The shared store conformance checks (``StoreConformance``), run against each ``StoreKind``.
@Suite struct StoreConformanceTests {
    @Test(arguments: StoreKind.allCases, StoreConformance.checks)
    func conformance(kind: StoreKind, check: StoreConformance.Check) throws {
        try kind.withStore { try check.run($0) }
    }
}
