import CubeCore
import CubeZarr

/// What a HEAD request says about a stored object.
public struct S3ObjectInfo: Sendable, Equatable {
    /// The size in bytes.
    public var size: Int
    /// The ETag without quotes (the hex MD5 for values stored in one PUT).
    public var etag: String?
}

extension S3Client {
    /// The value of `key` in `bucket`, or the part `range` selects; `nil` if there is none.
    ///
    /// A range past the end reads as empty (S3 answers 416); a server that ignores the
    /// range and sends the whole value gets it cut here, so every server gives the same
    /// answer. A zero-length range costs a HEAD (HTTP has no empty range).
    public func get(bucket: String, key: String, range: ByteRange? = nil) async throws -> [UInt8]? {
        let subject = "s3://\(bucket)/\(key)"
        var headers: [(name: String, value: String)] = []
        if let range {
            guard let header = Self.rangeHeader(range) else {
                return try await head(bucket: bucket, key: key).map { _ in [] }
            }
            headers.append(("Range", header))
        }
        let outcome = try await send(Request(method: "GET", bucket: bucket, key: key, headers: headers), operation: "GET")
        let response = outcome.response
        switch response.status {
        case 200:
            guard let range, let selected = range.clipped(toCount: response.body.count) else { return response.body }
            return Array(response.body[selected])
        case 206:
            return response.body
        case 404 where response.errorCode != "NoSuchBucket":
            return nil
        case 416:
            return []
        default:
            throw response.error("GET", subject: subject)
        }
    }

    /// Size and ETag of `key` in `bucket`, or `nil` if there is none.
    public func head(bucket: String, key: String) async throws -> S3ObjectInfo? {
        let outcome = try await send(Request(method: "HEAD", bucket: bucket, key: key), operation: "HEAD")
        let response = outcome.response
        switch response.status {
        case 200:
            return S3ObjectInfo(size: response.headers["content-length"].flatMap(Int.init) ?? 0, etag: response.etag)
        case 404:
            return nil
        default:
            throw response.error("HEAD", subject: "s3://\(bucket)/\(key)")
        }
    }

    /// Stores `body` at `key` in `bucket`; returns whether it was stored.
    ///
    /// With `ifAbsent`, the value is created only if no object exists (`If-None-Match: *`)
    /// and `false` comes back when one does (S3 answers 412): the primitive of locks. When an
    /// earlier attempt of this same request got no answer and a retry gets 412, the stored
    /// object may be our own: its ETag is compared with the body's MD5 and a match counts as
    /// created (another writer storing identical bytes at the same moment is taken for us,
    /// which no reader could tell apart). Conditional creates always go in one PUT; other
    /// bodies above ``multipartThreshold`` go in parts.
    @discardableResult
    public func put(_ body: [UInt8], bucket: String, key: String, ifAbsent: Bool = false) async throws -> Bool {
        if !ifAbsent && body.count > multipartThreshold {
            try await putMultipart(body, bucket: bucket, key: key)
            return true
        }
        let subject = "s3://\(bucket)/\(key)"
        var headers: [(name: String, value: String)] = [("Content-MD5", Self.contentMD5(body))]
        if ifAbsent { headers.append(("If-None-Match", "*")) }
        let outcome = try await send(Request(method: "PUT", bucket: bucket, key: key, headers: headers, body: body), operation: "PUT")
        let response = outcome.response
        if response.isSuccess { return true }
        if ifAbsent && (response.status == 412 || response.status == 409) {
            guard outcome.earlierAttemptUnanswered else { return false }
            let stored = try await head(bucket: bucket, key: key)
            return stored?.etag == Self.md5Hex(body)
        }
        throw response.error("PUT", subject: subject)
    }

    /// Deletes `key` in `bucket`; a missing key is not an error.
    public func delete(bucket: String, key: String) async throws {
        let outcome = try await send(Request(method: "DELETE", bucket: bucket, key: key), operation: "DELETE")
        let response = outcome.response
        guard response.isSuccess || (response.status == 404 && response.errorCode != "NoSuchBucket") else {
            throw response.error("DELETE", subject: "s3://\(bucket)/\(key)")
        }
    }

    /// The `Range` header for `range`, or `nil` for a range that selects nothing by
    /// definition (zero length), which HTTP cannot express.
    static func rangeHeader(_ range: ByteRange) -> String? {
        switch range {
        case .bounded(let offset, let length):
            guard length > 0 else { return nil }
            let (end, overflow) = offset.addingReportingOverflow(length - 1)
            return overflow ? "bytes=\(offset)-" : "bytes=\(offset)-\(end)"
        case .from(let offset):
            return "bytes=\(offset)-"
        case .suffix(let length):
            guard length > 0 else { return nil }
            return "bytes=-\(length)"
        }
    }
}
