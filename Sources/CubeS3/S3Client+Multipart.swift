import CubeCore

extension S3Client {
    /// The most parts one multipart upload may have.
    public static let maximumPartCount = 10_000

    /// Uploads `body` to `key` in `bucket` in parts of ``partSize`` bytes (larger when
    /// needed to stay within 10,000 parts), up to four at once, then completes the upload.
    ///
    /// Every part but the last is at least 5 MiB, as S3 requires. On any failure the upload
    /// is aborted, so no invisible parts are left to be billed, and the first error is thrown.
    public func putMultipart(_ body: [UInt8], bucket: String, key: String) async throws {
        let subject = "s3://\(bucket)/\(key)"
        let size = max(partSize, (body.count + Self.maximumPartCount - 1) / Self.maximumPartCount)
        let uploadID = try await createMultipartUpload(bucket: bucket, key: key)
        do {
            let ranges = stride(from: 0, to: max(body.count, 1), by: size).map { $0..<min($0 + size, body.count) }
            var etags = [String](repeating: "", count: ranges.count)
            try await withThrowingTaskGroup(of: (Int, String).self) { group in
                var next = 0
                func startNext() {
                    let index = next
                    let part = Array(body[ranges[index]])
                    group.addTask { (index, try await self.uploadPart(part, number: index + 1, uploadID: uploadID, bucket: bucket, key: key)) }
                    next += 1
                }
                while next < min(4, ranges.count) { startNext() }
                while let (index, etag) = try await group.next() {
                    etags[index] = etag
                    if next < ranges.count { startNext() }
                }
            }
            try await completeMultipartUpload(bucket: bucket, key: key, uploadID: uploadID, etags: etags)
        } catch {
            try? await abortMultipartUpload(bucket: bucket, key: key, uploadID: uploadID)
            if let error = error as? CubeError { throw error }
            throw CubeError(.io, "multipart PUT failed: \(error)", context: subject)
        }
    }

    /// Starts an upload; returns its id.
    private func createMultipartUpload(bucket: String, key: String) async throws -> String {
        let subject = "s3://\(bucket)/\(key)"
        let outcome = try await send(Request(method: "POST", bucket: bucket, key: key, query: [("uploads", "")]), operation: "multipart PUT (start)")
        guard outcome.response.isSuccess else { throw outcome.response.error("multipart PUT (start)", subject: subject) }
        guard let id = XMLTree(parsing: outcome.response.body)?.text(of: "UploadId"), !id.isEmpty else {
            throw CubeError(.io, "multipart PUT (start) failed: the answer holds no upload id", context: subject)
        }
        return id
    }

    /// Uploads part `number`; returns its ETag.
    private func uploadPart(_ part: [UInt8], number: Int, uploadID: String, bucket: String, key: String) async throws -> String {
        let operation = "multipart PUT (part \(number))"
        let request = Request(method: "PUT", bucket: bucket, key: key, query: [("partNumber", String(number)), ("uploadId", uploadID)],
                              headers: [("Content-MD5", Self.contentMD5(part))], body: part)
        let outcome = try await send(request, operation: operation)
        guard outcome.response.isSuccess, let etag = outcome.response.etag else {
            throw outcome.response.error(operation, subject: "s3://\(bucket)/\(key)")
        }
        return etag
    }

    /// Joins the parts into the object.
    private func completeMultipartUpload(bucket: String, key: String, uploadID: String, etags: [String]) async throws {
        var xml = "<CompleteMultipartUpload xmlns=\"http://s3.amazonaws.com/doc/2006-03-01/\">"
        for (index, etag) in etags.enumerated() {
            xml += "<Part><PartNumber>\(index + 1)</PartNumber><ETag>\"\(xmlEscaped(etag))\"</ETag></Part>"
        }
        xml += "</CompleteMultipartUpload>"
        let operation = "multipart PUT (complete)"
        let request = Request(method: "POST", bucket: bucket, key: key, query: [("uploadId", uploadID)],
                              headers: [("Content-Type", "application/xml")], body: Array(xml.utf8))
        let outcome = try await send(request, operation: operation)
        let response = outcome.response
        // S3 may answer 200 and still report an error in the body.
        guard response.isSuccess, XMLTree(parsing: response.body)?.name != "Error" else {
            throw response.error(operation, subject: "s3://\(bucket)/\(key)")
        }
    }

    /// Abandons the upload and its parts.
    private func abortMultipartUpload(bucket: String, key: String, uploadID: String) async throws {
        _ = try await send(Request(method: "DELETE", bucket: bucket, key: key, query: [("uploadId", uploadID)]),
                           operation: "multipart PUT (abort)")
    }
}
