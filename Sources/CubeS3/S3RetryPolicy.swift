/// When and how long to wait before trying a failed S3 request again.
///
/// Retried: HTTP 500, 502, 503 and 504 (503 `SlowDown` included), 429, and requests that
/// got no answer (reset connections, timeouts). Every request cube sends is idempotent
/// (GET, HEAD, PUT of whole values, DELETE, batch DELETE, multipart steps), so sending one
/// again after a lost response is safe; a conditional create is checked afterwards
/// (``S3Client/put(_:bucket:key:ifAbsent:)``). Waits grow exponentially with full jitter
/// (a random wait up to the bound), so many workers do not retry in step; a server's
/// `Retry-After` is honoured when it asks for longer.
public struct S3RetryPolicy: Sendable, Equatable {
    /// How many times a request is sent at most (the first attempt included).
    public var maxAttempts: Int
    /// The bound of the first wait, in seconds; it doubles with every attempt.
    public var baseDelay: Double
    /// The largest wait, in seconds (a `Retry-After` above it is cut to it).
    public var maxDelay: Double

    /// A policy of `maxAttempts` tries with waits from `baseDelay` up to `maxDelay` seconds.
    public init(maxAttempts: Int = 6, baseDelay: Double = 0.1, maxDelay: Double = 10) {
        self.maxAttempts = max(1, maxAttempts)
        self.baseDelay = max(0, baseDelay)
        self.maxDelay = max(0, maxDelay)
    }

    /// The default: 6 attempts, waits from 0.1 s up to 10 s.
    public static let standard = S3RetryPolicy()

    /// Whether an answer with `status` is worth trying again.
    static func isRetryable(status: Int) -> Bool { [429, 500, 502, 503, 504].contains(status) }

    /// The wait before attempt `attempt + 1` (attempts count from 1), given the server's
    /// `Retry-After`, with `random` choosing within the jitter (0..<1).
    func delay(afterAttempt attempt: Int, retryAfter: Double?, random: Double) -> Double {
        let exponent = min(attempt - 1, 30)
        let bound = min(maxDelay, baseDelay * Double(1 << exponent))
        let jittered = bound * min(max(random, 0), 1)
        guard let retryAfter else { return jittered }
        return min(maxDelay, max(jittered, retryAfter))
    }
}
