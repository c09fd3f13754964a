import Foundation
import Testing
@testable import CubeS3

/// SigV4 against the worked examples of AWS's S3 documentation ("Signature calculations
/// for the Authorization header"), and encoding of awkward keys and secrets.
@Suite struct SigV4Tests {
    static let example = S3Credentials(accessKeyID: "AKIAIOSFODNN7EXAMPLE", secretAccessKey: "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY")
    static let stamp = "20130524T000000Z"
    static let signer = SigV4(credentials: example, region: "us-east-1")

    static func request(_ method: String, path: String, query: [(name: String, value: String)] = [],
                        headers: [(name: String, value: String)], payloadHash: String = SigV4.emptyPayloadHash) -> SigV4.Request {
        SigV4.Request(method: method, encodedPath: SigV4.encodePath(path), query: query,
                      headers: headers + [("x-amz-date", stamp), ("x-amz-content-sha256", payloadHash)], payloadHash: payloadHash)
    }

    @Test func getObjectExample() {
        let request = Self.request("GET", path: "/test.txt", headers: [("Host", "examplebucket.s3.amazonaws.com"), ("Range", "bytes=0-9")])
        #expect(Self.signer.authorization(for: request, timestamp: Self.stamp) ==
            "AWS4-HMAC-SHA256 Credential=AKIAIOSFODNN7EXAMPLE/20130524/us-east-1/s3/aws4_request,SignedHeaders=host;range;x-amz-content-sha256;x-amz-date,Signature=f0e8bdb87c964420e857bd35b5d6ed310bd44f0170aba48dd91039c6036bdb41")
    }

    @Test func putObjectExample() {
        let body = Array("Welcome to Amazon S3.".utf8)
        let hash = SigV4.sha256Hex(body)
        #expect(hash == "44ce7dd67c959e0d3524ffac1771dfbba87d2b6b4b4e99e42034a8b803f8b072")
        let request = Self.request("PUT", path: "/test$file.text", headers: [
            ("Host", "examplebucket.s3.amazonaws.com"), ("Date", "Fri, 24 May 2013 00:00:00 GMT"),
            ("x-amz-storage-class", "REDUCED_REDUNDANCY"),
        ], payloadHash: hash)
        #expect(SigV4.canonicalRequest(request).text.split(separator: "\n").dropFirst().first == "/test%24file.text")
        #expect(Self.signer.authorization(for: request, timestamp: Self.stamp).hasSuffix(
            "SignedHeaders=date;host;x-amz-content-sha256;x-amz-date;x-amz-storage-class,Signature=98ad721746da40c64f1a55b78f14c238d841ea1380cd77a1b5971af0ece108bd"))
    }

    @Test func listObjectsExampleSortsTheQuery() {
        let request = Self.request("GET", path: "/", query: [("prefix", "J"), ("max-keys", "2")],
                                   headers: [("Host", "examplebucket.s3.amazonaws.com")])
        #expect(SigV4.canonicalRequest(request).text.split(separator: "\n")[2] == "max-keys=2&prefix=J")
        #expect(Self.signer.authorization(for: request, timestamp: Self.stamp).hasSuffix(
            "Signature=34b48302e7b5fa45bde8084f4b7868a86f0a534bc59db6670ed5711ef69dc6f7"))
    }

    @Test func sessionTokenIsSigned() {
        let temporary = SigV4(credentials: S3Credentials(accessKeyID: "ASIAEXAMPLE", secretAccessKey: "s/e+c=r", sessionToken: "token/+="),
                              region: "eu-west-1")
        let request = SigV4.Request(method: "GET", encodedPath: "/b/k", query: [], headers: [("Host", "h")], payloadHash: SigV4.emptyPayloadHash)
        let headers = temporary.signingHeaders(for: request, at: Date(timeIntervalSince1970: 1_369_353_600))
        #expect(headers.contains { $0.name == "x-amz-security-token" && $0.value == "token/+=" })
        let authorization = headers.first { $0.name == "Authorization" }?.value ?? ""
        #expect(authorization.contains("Credential=ASIAEXAMPLE/20130524/eu-west-1/s3/aws4_request"))
        #expect(authorization.contains("SignedHeaders=host;x-amz-content-sha256;x-amz-date;x-amz-security-token,"))
        #expect(!authorization.contains("s/e+c=r"))
    }

    @Test func secretsWithSlashPlusAndEqualsSignDistinctly() {
        let request = Self.request("GET", path: "/k", headers: [("Host", "h")])
        let signatures = Set(["a/b+c=d", "a/b+c=e", "a+b/c=d", "abcd"].map { secret in
            SigV4(credentials: S3Credentials(accessKeyID: "AKID", secretAccessKey: secret), region: "us-east-1")
                .authorization(for: request, timestamp: Self.stamp)
        })
        #expect(signatures.count == 4)
    }

    @Test(arguments: [
        ("a b/c+d=e", "a%20b/c%2Bd%3De"),
        ("température/名前", "temp%C3%A9rature/%E5%90%8D%E5%89%8D"),
        ("emoji😀/..x~_-.", "emoji%F0%9F%98%80/..x~_-."),
        ("a*b'c(d)!$&,;:@", "a%2Ab%27c%28d%29%21%24%26%2C%3B%3A%40"),
    ])
    func pathEncodingKeepsSlashesAndEncodesTheRest(key: String, encoded: String) {
        #expect(SigV4.encodePath(key) == encoded)
        #expect(SigV4.encode(key, keepSlash: false) == encoded.replacingOccurrences(of: "/", with: "%2F"))
    }

    @Test func timestampIsUTC() {
        #expect(SigV4.timestamp(Date(timeIntervalSince1970: 1_369_353_600)) == "20130524T000000Z")
        #expect(SigV4.timestamp(Date(timeIntervalSince1970: 1_369_353_600 + 3600 * 13 + 61)) == "20130524T130101Z")
    }
}
