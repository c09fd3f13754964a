/// Integer arithmetic the rechunk planner needs: saturating products, gcd/lcm, roots and
/// divisors. Saturation (clamping at `Int.max`) turns "too large to represent" into "too
/// large to fit any budget", so a hostile or huge input never traps.
enum PlanMath {
    /// `a + b`, or `Int.max` on overflow (both non-negative).
    static func add(_ a: Int, _ b: Int) -> Int { ShapeMath.saturatingSum(a, b) }

    /// `a × b`, or `Int.max` on overflow (both non-negative).
    static func multiply(_ a: Int, _ b: Int) -> Int { ShapeMath.saturatingProduct(a, b) }

    /// The product of `values`, or `Int.max` on overflow (all non-negative).
    static func product(_ values: [Int]) -> Int {
        var total = 1
        for v in values {
            if v == 0 { return 0 }
            total = multiply(total, v)
        }
        return total
    }

    /// Bytes of a buffer of `shape` elements of `itemSize` bytes (saturating).
    static func bytes(_ shape: [Int], itemSize: Int) -> Int {
        multiply(product(shape), itemSize)
    }

    /// Bytes of the part of a `chunk`-shaped buffer that lies inside an array of `shape`.
    static func clippedBytes(_ chunk: [Int], shape: [Int], itemSize: Int) -> Int {
        bytes(zip(chunk, shape).map { min($0, $1) }, itemSize: itemSize)
    }

    /// `a / b` rounded up, for non-negative `a` and positive `b`.
    static func ceilDiv(_ a: Int, _ b: Int) -> Int { ShapeMath.ceilDiv(a, b) }

    /// Greatest common divisor of two positive integers.
    static func gcd(_ a: Int, _ b: Int) -> Int {
        var (x, y) = (a, b)
        while y != 0 { (x, y) = (y, x % y) }
        return x
    }

    /// Least common multiple of two positive integers, or `Int.max` on overflow.
    static func lcm(_ a: Int, _ b: Int) -> Int {
        multiply(a / gcd(a, b), b)
    }

    /// Number of chunks of length `chunk` along an axis of `length` elements.
    static func chunkCount(_ length: Int, _ chunk: Int) -> Int {
        ceilDiv(length, chunk)
    }

    /// Number of chunks of `chunks` over an array of `shape` (saturating).
    static func chunkCount(shape: [Int], chunks: [Int]) -> Int {
        product(zip(shape, chunks).map { ceilDiv($0, $1) })
    }

    /// The largest divisor of `n` (positive) that is at most `limit` (at least 1).
    static func largestDivisor(of n: Int, atMost limit: Int) -> Int {
        if limit >= n { return n }
        var best = 1
        var i = 1
        while i <= n / i {
            if n % i == 0 {
                if i <= limit { best = max(best, i) }
                let j = n / i
                if j <= limit { best = max(best, j) }
            }
            i += 1
        }
        return best
    }

    /// `⌊(a^(m−j) · b^j)^(1/m)⌋`: point `j` of `m` steps on the geometric line from `a` to `b`
    /// (positive), computed exactly with multi-word products.
    static func geometricPoint(_ a: Int, _ b: Int, step j: Int, of m: Int) -> Int {
        if j <= 0 { return a }
        if j >= m { return b }
        var target = WideNatural(1)
        for _ in 0..<(m - j) { target.multiply(by: a) }
        for _ in 0..<j { target.multiply(by: b) }
        // The answer lies between the smaller and the larger end.
        var lo = min(a, b)
        var hi = max(a, b)
        while lo < hi {
            let mid = lo + (hi - lo + 1) / 2
            var power = WideNatural(1)
            for _ in 0..<m { power.multiply(by: mid) }
            if power <= target { lo = mid } else { hi = mid - 1 }
        }
        return lo
    }
}

/// A non-negative integer of any size, as little-endian 64-bit words; only what exact
/// geometric interpolation needs (multiply by a word, compare).
struct WideNatural: Comparable {
    private var words: [UInt64]

    /// The value `n` (non-negative).
    init(_ n: Int) { words = [UInt64(n)] }

    /// Multiplies in place by `factor` (non-negative).
    mutating func multiply(by factor: Int) {
        let f = UInt64(factor)
        var carry: UInt64 = 0
        for i in words.indices {
            let (high, low) = words[i].multipliedFullWidth(by: f)
            let (sum, overflow) = low.addingReportingOverflow(carry)
            words[i] = sum
            carry = high &+ (overflow ? 1 : 0)
        }
        if carry != 0 { words.append(carry) }
        while words.count > 1, words.last == 0 { words.removeLast() }
    }

    static func < (a: WideNatural, b: WideNatural) -> Bool {
        if a.words.count != b.words.count { return a.words.count < b.words.count }
        for i in stride(from: a.words.count - 1, through: 0, by: -1) where a.words[i] != b.words[i] {
            return a.words[i] < b.words[i]
        }
        return false
    }
}
