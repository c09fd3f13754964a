import CubeCore

/// One page of a ListObjectsV2 answer.
public struct S3ListPage: Sendable, Equatable {
    /// Object keys (full keys, with the listed prefix).
    public var keys: [String]
    /// Common prefixes when listing with a delimiter (full, ending with the delimiter).
    public var commonPrefixes: [String]
    /// The token for the next page, or `nil` on the last page.
    public var continuationToken: String?

    /// Reads a ListObjectsV2 XML body; `nil` if it is not one.
    init?(xml: [UInt8]) {
        guard let root = XMLTree(parsing: xml), root.name == "ListBucketResult" else { return nil }
        keys = root.all("Contents").compactMap { $0.text(of: "Key") }
        commonPrefixes = root.all("CommonPrefixes").compactMap { $0.text(of: "Prefix") }
        let truncated = root.text(of: "IsTruncated") == "true"
        continuationToken = truncated ? root.text(of: "NextContinuationToken") : nil
    }
}

extension S3Client {
    /// One page of the keys in `bucket` starting with `prefix` (at most `maxKeys`), grouped
    /// by `delimiter` when given, continuing after `continuationToken`.
    public func listPage(bucket: String, prefix: String, delimiter: String? = nil, continuationToken: String? = nil,
                         maxKeys: Int = 1000) async throws -> S3ListPage {
        var query: [(name: String, value: String)] = [("list-type", "2"), ("max-keys", String(maxKeys))]
        if !prefix.isEmpty { query.append(("prefix", prefix)) }
        if let delimiter { query.append(("delimiter", delimiter)) }
        if let continuationToken { query.append(("continuation-token", continuationToken)) }
        let subject = "s3://\(bucket)/\(prefix)"
        let outcome = try await send(Request(method: "GET", bucket: bucket, query: query), operation: "LIST")
        guard outcome.response.isSuccess else { throw outcome.response.error("LIST", subject: subject) }
        guard let page = S3ListPage(xml: outcome.response.body) else {
            throw CubeError(.io, "LIST failed: the answer is not a ListObjectsV2 result", context: subject)
        }
        if page.continuationToken == nil, XMLTree(parsing: outcome.response.body)?.text(of: "IsTruncated") == "true" {
            throw CubeError(.io, "LIST failed: a truncated answer without a continuation token", context: subject)
        }
        return page
    }

    /// Every key and common prefix in `bucket` under `prefix`, following continuation tokens.
    public func listAll(bucket: String, prefix: String, delimiter: String? = nil) async throws -> (keys: [String], commonPrefixes: [String]) {
        var keys: [String] = []
        var prefixes: [String] = []
        var token: String?
        repeat {
            let page = try await listPage(bucket: bucket, prefix: prefix, delimiter: delimiter, continuationToken: token)
            keys += page.keys
            prefixes += page.commonPrefixes
            token = page.continuationToken
        } while token != nil
        return (keys, prefixes)
    }
}
