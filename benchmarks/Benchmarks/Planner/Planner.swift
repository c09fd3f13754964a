/// Planner: the time and allocations of `RechunkPlanner.plan` (CubeCore/Planning), the
/// search cube-rechunk runs once per array before it copies anything.
///
/// Requests are built as cube-rechunk builds them (`CopyPlanning.plan` in CubeEngine): two
/// jobs, the default cost for the source codec, blosc (lz4) for intermediates, and a
/// compressed target codec with 2 MiB of scratch. Cases:
/// - the reanalysis year of the rechunk benchmark, 2920×181×360 float32 from map chunks
///   1×181×360 to time series 2920×10×10, at 256 MiB and at 32 MiB (more stages);
/// - a 4-D case, an hourly year of ERA5-like pressure levels, 8760×37×721×1440 float32 from
///   one level map per chunk (1×1×721×1440) to 8760×1×20×20 time series, at 1 GiB.
///
/// Throughput is plans per second.
import Benchmark
import CubeCore

/// One planner input, named as it appears in the results.
private struct PlannerCase {
    var name: String
    var request: RechunkRequest
}

/// A request with cube-rechunk's codec costs and jobs.
private func request(shape: [Int], from source: [Int], to target: [Int], budgetMiB: Int) -> RechunkRequest {
    RechunkRequest(shape: shape, itemSize: 4, sourceChunks: source, targetChunks: target,
                   memoryBudget: budgetMiB << 20, jobs: 2,
                   sourceCodec: .default, intermediateCodec: .blosc,
                   targetCodec: CodecCost(scratchBytes: 2 << 20))
}

private let cases = [
    PlannerCase(name: "reanalysis 2920x181x360 1x181x360 -> 2920x10x10 256MiB",
                request: request(shape: [2920, 181, 360], from: [1, 181, 360], to: [2920, 10, 10], budgetMiB: 256)),
    PlannerCase(name: "reanalysis 2920x181x360 1x181x360 -> 2920x10x10 32MiB",
                request: request(shape: [2920, 181, 360], from: [1, 181, 360], to: [2920, 10, 10], budgetMiB: 32)),
    PlannerCase(name: "4-D 8760x37x721x1440 1x1x721x1440 -> 8760x1x20x20 1GiB",
                request: request(shape: [8760, 37, 721, 1440], from: [1, 1, 721, 1440], to: [8760, 1, 20, 20],
                                 budgetMiB: 1024)),
]

let benchmarks: @Sendable () -> Void = {
    for plannerCase in cases {
        Benchmark("plan \(plannerCase.name)",
                  configuration: .init(metrics: [.wallClock, .throughput, .mallocCountTotal],
                                       warmupIterations: 3, maxDuration: .seconds(2), maxIterations: 1000)) { benchmark in
            blackHole(try RechunkPlanner.plan(plannerCase.request))
        }
    }
}
