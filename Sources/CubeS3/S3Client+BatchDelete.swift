import CubeCore

extension S3Client {
    /// The most keys one DeleteObjects request may name.
    public static let batchDeleteLimit = 1000

    /// Deletes `keys` from `bucket` with DeleteObjects requests of at most 1,000 keys each.
    ///
    /// The XML body goes with its `Content-MD5`, which S3 requires for this request. The
    /// quiet mode makes S3 list only the keys it failed to delete; any such key is an error
    /// naming it. Missing keys count as deleted.
    public func deleteObjects(bucket: String, keys: [String]) async throws {
        var start = 0
        while start < keys.count {
            let batch = Array(keys[start..<min(start + Self.batchDeleteLimit, keys.count)])
            try await deleteBatch(bucket: bucket, keys: batch)
            start += batch.count
        }
    }

    /// One DeleteObjects request.
    private func deleteBatch(bucket: String, keys: [String]) async throws {
        var xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?><Delete xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\"><Quiet>true</Quiet>"
        for key in keys { xml += "<Object><Key>\(xmlEscaped(key))</Key></Object>" }
        xml += "</Delete>"
        let body = Array(xml.utf8)
        let headers: [(name: String, value: String)] = [("Content-MD5", Self.contentMD5(body)), ("Content-Type", "application/xml")]
        let subject = "s3://\(bucket)/\(keys.first ?? "")"
        let outcome = try await send(Request(method: "POST", bucket: bucket, query: [("delete", "")], headers: headers, body: body),
                                     operation: "DELETE (batch of \(keys.count))")
        guard outcome.response.isSuccess else { throw outcome.response.error("DELETE (batch of \(keys.count))", subject: subject) }
        let failures = XMLTree(parsing: outcome.response.body)?.all("Error") ?? []
        if let first = failures.first {
            let key = first.text(of: "Key") ?? ""
            let code = first.text(of: "Code") ?? "unknown error"
            throw CubeError(.io, "DELETE failed for \(failures.count) of \(keys.count) keys: \(code)", context: "s3://\(bucket)/\(key)")
        }
    }
}
