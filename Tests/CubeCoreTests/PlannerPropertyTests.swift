import Testing
@testable import CubeCore

/// One array and a pair of chunkings to rechunk between.
struct PlannerCase: Sendable, CustomTestStringConvertible {
    var shape: [Int]
    var source: [Int]
    var target: [Int]
    var testDescription: String { "\(shape) \(source)→\(target)" }
}

/// Exhaustive checks over a grid of small arrays (1-d to 3-d, lengths 1…12), chunkings that
/// divide, do not divide, and overhang their axes, budgets from the tightest possible to
/// generous, and 1–3 jobs.
@Suite struct PlannerPropertyTests {
    static let oneD: [PlannerCase] = {
        let chunks = [1, 2, 3, 5, 7, 12, 13]
        return [1, 7, 12].flatMap { n in
            chunks.flatMap { s in chunks.map { t in PlannerCase(shape: [n], source: [s], target: [t]) } }
        }
    }()

    static let twoD: [PlannerCase] = {
        let shapes: [[Int]] = [[12, 7], [5, 12], [1, 9], [8, 8]]
        let chunkings: [[Int]] = [[1, 1], [1, 12], [12, 1], [2, 3], [3, 2], [4, 5], [5, 4], [12, 12], [6, 7]]
        return shapes.flatMap { shape in
            chunkings.flatMap { s in chunkings.map { t in PlannerCase(shape: shape, source: s, target: t) } }
        }
    }()

    static let threeD: [PlannerCase] = {
        let shapes: [[Int]] = [[6, 5, 4], [12, 3, 7], [2, 12, 5]]
        let chunkings: [[Int]] = [[1, 5, 7], [6, 1, 1], [2, 2, 2], [4, 3, 5], [1, 1, 7], [3, 12, 1]]
        return shapes.flatMap { shape in
            chunkings.flatMap { s in chunkings.map { t in PlannerCase(shape: shape, source: s, target: t) } }
        }
    }()

    /// A small codec so that tiny test arrays are not dwarfed by codec headers.
    static let smallCodec = CodecCost(scratchBytes: 3, encodedBound: { $0 + $0 / 8 + 5 })

    /// Requests for `c` across budgets (from the tightest a plan could fit to generous),
    /// jobs, item sizes, codecs, minimum intermediate sizes and stage limits.
    static func requests(_ c: PlannerCase) -> [RechunkRequest] {
        var result: [RechunkRequest] = []
        for (itemSize, codec, minBytes, maxStages) in [(2, smallCodec, 16, 4), (1, CodecCost.uncompressed, 1 << 20, 2),
                                                       (4, CodecCost.default, 0, 3), (2, smallCodec, 16, 1)] {
            var request = RechunkRequest(shape: c.shape, itemSize: itemSize, sourceChunks: c.source, targetChunks: c.target,
                                         memoryBudget: 1, jobs: 1, sourceCodec: codec, intermediateCodec: smallCodec,
                                         targetCodec: codec, minIntermediateChunkBytes: minBytes, maxStages: maxStages)
            let need = max(RechunkPlanner.sourceNeed(request), RechunkPlanner.targetNeed(request))
            let arrayBytes = ShapeMath.product(c.shape) * itemSize
            for budget in [need - 1, need, need + need / 3, 2 * need + 7, 4 * (arrayBytes + need)] {
                for jobs in [1, 2, 3] {
                    request.memoryBudget = max(1, budget)
                    request.jobs = jobs
                    result.append(request)
                }
            }
        }
        return result
    }

    /// Plans every request for `c` and checks every invariant by simulating the tasks; a
    /// failure must be a real impossibility, reported as an invalid argument.
    static func check(_ c: PlannerCase) {
        for request in requests(c) {
            do {
                let plan = try RechunkPlanner.plan(request)
                let problems = PlanChecker.problems(in: plan, for: request)
                #expect(problems.isEmpty, "\(c.testDescription) budget \(request.memoryBudget) jobs \(request.jobs): \(problems.prefix(4))\n\(plan)")
            } catch let error as CubeError {
                #expect(error.kind == .invalidArgument)
                let guaranteed = PlanChecker.guaranteedBudget(request)
                #expect(request.memoryBudget < guaranteed,
                        "\(c.testDescription) budget \(request.memoryBudget) ≥ \(guaranteed) jobs \(request.jobs) stages \(request.maxStages): \(error)")
            } catch {
                Issue.record("unexpected error \(error)")
            }
        }
    }

    @Test(arguments: oneD) func oneDimensional(_ c: PlannerCase) { Self.check(c) }
    @Test(arguments: twoD) func twoDimensional(_ c: PlannerCase) { Self.check(c) }
    @Test(arguments: threeD) func threeDimensional(_ c: PlannerCase) { Self.check(c) }

    @Test func zeroDimensionalArrayIsOneDirectTask() throws {
        let request = RechunkRequest(shape: [], itemSize: 8, sourceChunks: [], targetChunks: [], memoryBudget: 1 << 10)
        let plan = try RechunkPlanner.plan(request)
        #expect(plan.isDirect)
        #expect(plan.taskCount == 1)
        #expect(PlanChecker.problems(in: plan, for: request).isEmpty)
    }

    @Test(arguments: [[0], [4, 0], [0, 3, 2]])
    func emptyArrayHasNoTasks(shape: [Int]) throws {
        let ones = shape.map { _ in 3 }
        let request = RechunkRequest(shape: shape, itemSize: 4, sourceChunks: ones, targetChunks: ones.map { $0 + 1 }, memoryBudget: 1)
        let plan = try RechunkPlanner.plan(request)
        #expect(plan.taskCount == 0)
        #expect(plan.peakBytes == 0)
        #expect(plan.stages.count == 1)
        #expect(plan.stages[0].tasks().isEmpty)
    }
}

/// Guards the strength of the grid above: it must reach every kind of plan and failure.
@Suite struct PlannerGridCoverageTests {
    @Test func gridReachesDirectMultiStageReducedConcurrencyAndFailures() {
        var stageCounts = Set<Int>()
        var failures = 0
        var reduced = 0
        var total = 0
        for c in PlannerPropertyTests.oneD + PlannerPropertyTests.twoD + PlannerPropertyTests.threeD {
            for request in PlannerPropertyTests.requests(c) {
                total += 1
                guard let plan = try? RechunkPlanner.plan(request) else { failures += 1; continue }
                stageCounts.insert(plan.stages.count)
                if plan.stages.contains(where: { $0.concurrency < min(request.jobs, $0.taskCount) }) { reduced += 1 }
            }
        }
        #expect(total > 30_000)
        #expect(stageCounts.isSuperset(of: [1, 2, 3]))
        #expect(failures > 0 && failures < total / 2)
        #expect(reduced > 0)
    }
}
