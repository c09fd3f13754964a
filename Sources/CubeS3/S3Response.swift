import CubeCore
import Foundation

/// What S3 answered: the status, the headers we use, and the whole body.
struct S3Response: Sendable {
    /// The HTTP status code.
    var status: Int
    /// Response headers, names lower-cased.
    var headers: [String: String]
    /// The body, collected whole.
    var body: [UInt8]

    /// Whether the status is 2xx.
    var isSuccess: Bool { (200..<300).contains(status) }

    /// The error code in an S3 error body (`NoSuchKey`, `SlowDown`, …), if any.
    var errorCode: String? { XMLTree(parsing: body)?.text(of: "Code") }

    /// The error message in an S3 error body, if any.
    var errorMessage: String? { XMLTree(parsing: body)?.text(of: "Message") }

    /// The value of `Retry-After` in seconds, when the server sent one.
    var retryAfter: Double? { headers["retry-after"].flatMap(Double.init) }

    /// The ETag without its quotes.
    var etag: String? { headers["etag"].map { $0.trimmingCharacters(in: CharacterSet(charactersIn: "\"")) } }

    /// A ``CubeError`` for this failed response to `operation` on `subject` (`s3://bucket/key`).
    ///
    /// 404 is ``CubeError/Kind/notFound``, 409 and 412 ``CubeError/Kind/conflict``, 400
    /// ``CubeError/Kind/invalidInput``, anything else ``CubeError/Kind/io``. The message
    /// holds the status, S3's error code and S3's message, never a signature or secret
    /// (S3's `StringToSign` and `SignatureProvided` elements are not read).
    func error(_ operation: String, subject: String) -> CubeError {
        let code = errorCode
        let kind: CubeError.Kind
        switch status {
        case 404: kind = .notFound
        case 409, 412: kind = .conflict
        case 400: kind = .invalidInput
        default: kind = .io
        }
        var message = "\(operation) failed: HTTP \(status)"
        if let code { message += " \(code)" }
        if let detail = errorMessage, !detail.isEmpty { message += " (\(detail))" }
        return CubeError(kind, message, context: subject)
    }
}
