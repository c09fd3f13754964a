import AsyncHTTPClient
import CubeCore
import Crypto
import Foundation
import NIOCore
import NIOHTTP1
import NIOPosix

/// An S3 client: signed requests for objects, listings, batch deletes and multipart
/// uploads, with retries.
///
/// Built on AsyncHTTPClient so many requests can be in flight on a few event-loop
/// threads, with bounded connection pools and cancellation. One ``HTTPClient`` is shared by
/// every client of the process (``sharedHTTPClient``). Errors are ``CubeError``s naming
/// `s3://bucket/key`; no message ever holds the secret or a signature.
public final class S3Client: Sendable, CustomStringConvertible {
    /// Where requests go and who signs them.
    public let settings: S3Settings
    /// How failed requests are retried.
    public let retry: S3RetryPolicy
    /// Bodies above this many bytes are uploaded in parts (``putMultipart(_:bucket:key:)``).
    public let multipartThreshold: Int
    /// The size of each part of a multipart upload (at least 5 MiB, as S3 requires).
    public let partSize: Int
    private let http: HTTPClient
    private let signer: SigV4?

    /// The one HTTP client of the process: redirects off (a wrong region is an error, not a
    /// silent detour), 10 s to connect, 120 s without data at most, up to 64 connections
    /// per host. It lives as long as the process, so it is never shut down.
    public static let sharedHTTPClient: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.redirectConfiguration = .disallow
        configuration.timeout = .init(connect: .seconds(10), read: .seconds(120))
        configuration.connectionPool = .init(idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: 64)
        configuration.decompression = .disabled
        return HTTPClient(eventLoopGroup: MultiThreadedEventLoopGroup.singleton, configuration: configuration)
    }()

    /// The smallest part S3 accepts in a multipart upload (all parts but the last).
    public static let minimumPartSize = 5 << 20

    /// A client for `settings`; bodies above `multipartThreshold` bytes go up in parts of
    /// `partSize` bytes (raised to S3's 5 MiB minimum).
    public init(settings: S3Settings, retry: S3RetryPolicy = .standard, multipartThreshold: Int = 64 << 20,
                partSize: Int = 16 << 20, httpClient: HTTPClient = S3Client.sharedHTTPClient) {
        self.settings = settings
        self.retry = retry
        self.partSize = max(partSize, Self.minimumPartSize)
        self.multipartThreshold = max(multipartThreshold, Self.minimumPartSize)
        self.http = httpClient
        self.signer = settings.credentials.map { SigV4(credentials: $0, region: settings.region) }
    }

    /// The settings, never the secret.
    public var description: String { "S3Client(\(settings))" }

    /// A request to one bucket, or to one object in it.
    struct Request: Sendable {
        /// `GET`, `HEAD`, `PUT`, `POST` or `DELETE`.
        var method: String
        /// The bucket.
        var bucket: String
        /// The object key, or `""` for a request on the bucket (listing, batch delete).
        var key: String = ""
        /// Query parameters (unencoded).
        var query: [(name: String, value: String)] = []
        /// Extra headers.
        var headers: [(name: String, value: String)] = []
        /// The body.
        var body: [UInt8] = []

        /// `s3://bucket/key`, for messages.
        var subject: String { key.isEmpty ? "s3://\(bucket)" : "s3://\(bucket)/\(key)" }
    }

    /// The final answer to a request and whether an earlier attempt may have reached the
    /// server without its answer reaching us (so a conditional create may have succeeded).
    struct Outcome: Sendable {
        /// The last response.
        var response: S3Response
        /// Whether an earlier attempt got no answer or a 5xx.
        var earlierAttemptUnanswered: Bool
    }

    /// Sends `request`, retrying as ``retry`` says. Returns the last response (which may be
    /// an error status); throws ``CubeError/Kind/io`` if no attempt got an answer.
    func send(_ request: Request, operation: String) async throws -> Outcome {
        var unanswered = false
        var attempt = 1
        while true {
            do {
                let response = try await sendOnce(request)
                let retryable = S3RetryPolicy.isRetryable(status: response.status) || response.errorCode == "SlowDown"
                if !retryable || attempt >= retry.maxAttempts {
                    return Outcome(response: response, earlierAttemptUnanswered: unanswered)
                }
                unanswered = true
                try await pause(afterAttempt: attempt, retryAfter: response.retryAfter)
            } catch is CancellationError {
                throw CancellationError()
            } catch let error as CubeError {
                throw error
            } catch {
                if attempt >= retry.maxAttempts {
                    throw CubeError(.io, "\(operation) failed after \(attempt) attempts: no answer from the server (\(Self.transportDescription(error)))",
                                    context: request.subject)
                }
                unanswered = true
                try await pause(afterAttempt: attempt, retryAfter: nil)
            }
            attempt += 1
        }
    }

    /// Waits before the next attempt, jittered.
    private func pause(afterAttempt attempt: Int, retryAfter: Double?) async throws {
        let seconds = retry.delay(afterAttempt: attempt, retryAfter: retryAfter, random: Double.random(in: 0..<1))
        if seconds > 0 { try await Task.sleep(nanoseconds: UInt64(seconds * 1e9)) }
    }

    /// A transport failure in words, without request details (an `HTTPClientError` names
    /// only its kind; other errors are named by their type).
    private static func transportDescription(_ error: any Error) -> String {
        if let client = error as? HTTPClientError { return String(describing: client) }
        return String(describing: type(of: error))
    }

    /// Signs and sends `request` once, collecting the whole answer.
    private func sendOnce(_ request: Request) async throws -> S3Response {
        let target = S3Endpoint(settings: settings, bucket: request.bucket, key: request.key)
        let queryString = request.query.map { pair in
            pair.value.isEmpty && Self.bareParameters.contains(pair.name)
                ? SigV4.encode(pair.name, keepSlash: false)
                : "\(SigV4.encode(pair.name, keepSlash: false))=\(SigV4.encode(pair.value, keepSlash: false))"
        }.joined(separator: "&")
        let url = target.baseURL + target.encodedPath + (queryString.isEmpty ? "" : "?" + queryString)
        var headers = [(name: "Host", value: target.host)] + request.headers
        if let signer {
            let payloadHash = SigV4.sha256Hex(request.body)
            let signable = SigV4.Request(method: request.method, encodedPath: target.encodedPath, query: request.query,
                                         headers: headers, payloadHash: payloadHash)
            headers += signer.signingHeaders(for: signable, at: Date())
        }
        var http = HTTPClientRequest(url: url)
        http.method = HTTPMethod(rawValue: request.method)
        for (name, value) in headers { http.headers.add(name: name, value: value) }
        if !request.body.isEmpty || request.method == "PUT" || request.method == "POST" {
            http.body = .bytes(ByteBuffer(bytes: request.body))
        }
        let response = try await self.http.execute(http, timeout: .seconds(300))
        let limit = Int(response.headers.first(name: "content-length").flatMap(Int.init) ?? (1 << 30))
        var body: [UInt8] = []
        if request.method != "HEAD" {
            let buffer = try await response.body.collect(upTo: max(limit, 1 << 20))
            body = Array(buffer.readableBytesView)
        }
        var collected: [String: String] = [:]
        for (name, value) in response.headers { collected[name.lowercased()] = value }
        return S3Response(status: Int(response.status.code), headers: collected, body: body)
    }

    /// Query parameters S3 takes without a value (`?delete`, `?uploads`).
    private static let bareParameters: Set<String> = ["delete", "uploads"]

    /// The base64 MD5 of `bytes`, for `Content-MD5`.
    static func contentMD5(_ bytes: [UInt8]) -> String { Data(Insecure.MD5.hash(data: bytes)).base64EncodedString() }

    /// The hex MD5 of `bytes`: the ETag S3 gives a value stored in one PUT.
    static func md5Hex(_ bytes: [UInt8]) -> String { SigV4.hex(Insecure.MD5.hash(data: bytes)) }
}
