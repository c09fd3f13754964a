import CubeCore
import CubeStoreConformance
import Foundation
import Testing
@testable import CubeS3

/// Credentials, region and endpoint resolution as the AWS tools do it, from a fake
/// environment and fake files (the real home directory is never read).
@Suite struct S3SettingsTests {
    static let credentialsFile = """
        [default]
        aws_access_key_id = DEFAULTKEY
        aws_secret_access_key = default/secret+=

        [work]
        aws_access_key_id=WORKKEY
        aws_secret_access_key=work/secret
        aws_session_token = work-token
        """
    static let configFile = """
        # comment
        [default]
        region = eu-central-1

        [profile work]
        region = ap-south-1
        endpoint_url = http://127.0.0.1:9000
        s3 =
          addressing_style = path

        [profile configonly]
        aws_access_key_id = CONFIGKEY
        aws_secret_access_key = config-secret
        """

    static func resolve(_ environment: [String: String], anonymous: Bool? = nil,
                        files: [String: String]? = nil) throws -> S3Settings {
        let files = files ?? ["/home/u/.aws/credentials": credentialsFile, "/home/u/.aws/config": configFile]
        return try S3Settings.resolve(environment: ["HOME": "/home/u"].merging(environment) { $1 }, anonymous: anonymous) { files[$0] }
    }

    @Test func defaultProfileFromTheFiles() throws {
        let settings = try Self.resolve([:])
        #expect(settings.credentials == S3Credentials(accessKeyID: "DEFAULTKEY", secretAccessKey: "default/secret+="))
        #expect(settings.region == "eu-central-1")
        #expect(settings.endpoint == nil)
        #expect(settings.addressing == .virtualHosted)
    }

    @Test func environmentKeysComeBeforeTheProfile() throws {
        let settings = try Self.resolve(["AWS_ACCESS_KEY_ID": "ENVKEY", "AWS_SECRET_ACCESS_KEY": "env", "AWS_SESSION_TOKEN": "tok",
                                         "AWS_PROFILE": "work"])
        #expect(settings.credentials == S3Credentials(accessKeyID: "ENVKEY", secretAccessKey: "env", sessionToken: "tok"))
        #expect(settings.region == "ap-south-1")
    }

    @Test func namedProfileUsesItsSectionsInBothFiles() throws {
        let settings = try Self.resolve(["AWS_PROFILE": "work"])
        #expect(settings.credentials == S3Credentials(accessKeyID: "WORKKEY", secretAccessKey: "work/secret", sessionToken: "work-token"))
        #expect(settings.region == "ap-south-1")
        #expect(settings.endpoint?.absoluteString == "http://127.0.0.1:9000")
        #expect(settings.addressing == .path)
        let configOnly = try Self.resolve(["AWS_PROFILE": "configonly"])
        #expect(configOnly.credentials?.accessKeyID == "CONFIGKEY")
        #expect(configOnly.region == "us-east-1")
    }

    @Test func regionPrecedence() throws {
        #expect(try Self.resolve(["AWS_REGION": "r1", "AWS_DEFAULT_REGION": "r2"]).region == "r1")
        #expect(try Self.resolve(["AWS_DEFAULT_REGION": "r2"]).region == "r2")
        #expect(try Self.resolve([:], anonymous: true, files: [:]).region == "us-east-1")
    }

    @Test func endpointPrecedence() throws {
        let both = try Self.resolve(["AWS_ENDPOINT_URL_S3": "http://s3only:1", "AWS_ENDPOINT_URL": "http://all:2", "AWS_PROFILE": "work"])
        #expect(both.endpoint?.absoluteString == "http://s3only:1")
        #expect(try Self.resolve(["AWS_ENDPOINT_URL": "http://all:2", "AWS_PROFILE": "work"]).endpoint?.absoluteString == "http://all:2")
        let error = expectStoreError(.invalidInput) { _ = try Self.resolve(["AWS_ENDPOINT_URL": "ftp://x"]) }
        #expect(error?.context == "AWS_ENDPOINT_URL")
    }

    @Test func fileLocationOverrides() throws {
        let files = ["/c": "[default]\naws_access_key_id = OVERRIDE\naws_secret_access_key = s\n", "/f": "[default]\nregion = sa-east-1\n"]
        let settings = try Self.resolve(["AWS_SHARED_CREDENTIALS_FILE": "/c", "AWS_CONFIG_FILE": "/f"], files: files)
        #expect(settings.credentials?.accessKeyID == "OVERRIDE")
        #expect(settings.region == "sa-east-1")
    }

    @Test func anonymousAccess() throws {
        #expect(try Self.resolve(["AWS_NO_SIGN_REQUEST": "true"]).isAnonymous)
        #expect(try Self.resolve(["AWS_NO_SIGN_REQUEST": "TRUE"], files: [:]).isAnonymous)
        #expect(try !Self.resolve(["AWS_NO_SIGN_REQUEST": "false"]).isAnonymous)
        #expect(try Self.resolve([:], anonymous: true).isAnonymous)
        #expect(try !Self.resolve(["AWS_NO_SIGN_REQUEST": "true"], anonymous: false).isAnonymous)
    }

    @Test func missingOrPartialCredentialsAreErrorsWithoutSecrets() throws {
        expectStoreError(.notFound) { _ = try Self.resolve([:], files: [:]) }
        let unknown = expectStoreError(.invalidInput) { _ = try Self.resolve(["AWS_PROFILE": "nobody"]) }
        #expect(unknown?.message.contains("nobody") == true)
        let partial = expectStoreError(.invalidInput) { _ = try Self.resolve(["AWS_ACCESS_KEY_ID": "K"]) }
        #expect(partial?.message.contains("AWS_SECRET_ACCESS_KEY") == true)
        let settings = try Self.resolve(["AWS_PROFILE": "work"])
        for text in ["\(settings)", String(reflecting: settings), "\(settings.credentials!)"] {
            #expect(!text.contains("work/secret") && !text.contains("work-token"), "\(text)")
        }
        var dumped = ""
        dump(settings, to: &dumped)
        #expect(!dumped.contains("work/secret"))
    }

    @Test func locationsParse() throws {
        let location = try S3Location(parsing: "s3://my-bucket.data/era5.zarr/")
        #expect(location.bucket == "my-bucket.data" && location.prefix == "era5.zarr")
        #expect(location.objectKey("t2m/c/0") == "era5.zarr/t2m/c/0")
        #expect(location.listingPrefix(under: "") == "era5.zarr/")
        let root = try S3Location(parsing: "s3://bucket")
        #expect(root.prefix == "" && root.listingPrefix(under: "") == "" && root.description == "s3://bucket")
        #expect(try S3Location(parsing: "s3://bucket//a/b//").prefix == "a/b")
        for bad in ["http://bucket/x", "s3://", "s3://ab", "s3://Upper", "s3://-bucket", "s3://bu..cket", "s3://192.168.1.1",
                    "s3://bucket/a//b", "s3://bucket/a/../b", "s3://under_score"] {
            let error = expectStoreError(.invalidArgument) { _ = try S3Location(parsing: bad) }
            #expect(error?.context == bad, "\(bad)")
        }
    }

    @Test func endpointsAndAddressing() {
        let aws = S3Settings(region: "eu-west-1", credentials: nil)
        let virtual = S3Endpoint(settings: aws, bucket: "bucket", key: "a b/c")
        #expect(virtual.host == "bucket.s3.eu-west-1.amazonaws.com" && virtual.encodedPath == "/a%20b/c")
        let dotted = S3Endpoint(settings: aws, bucket: "my.bucket", key: "k")
        #expect(dotted.host == "s3.eu-west-1.amazonaws.com" && dotted.encodedPath == "/my.bucket/k")
        let custom = S3Settings(endpoint: URL(string: "http://127.0.0.1:9000"), credentials: nil)
        let path = S3Endpoint(settings: custom, bucket: "bucket", key: "k+1")
        #expect(path.host == "127.0.0.1:9000" && path.encodedPath == "/bucket/k%2B1" && path.baseURL == "http://127.0.0.1:9000")
    }

    @Test func retryWaitsGrowWithJitterAndHonourRetryAfter() {
        let policy = S3RetryPolicy(maxAttempts: 5, baseDelay: 0.1, maxDelay: 2)
        #expect(policy.delay(afterAttempt: 1, retryAfter: nil, random: 1) == 0.1)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, random: 1) == 0.4)
        #expect(policy.delay(afterAttempt: 3, retryAfter: nil, random: 0.5) == 0.2)
        #expect(policy.delay(afterAttempt: 10, retryAfter: nil, random: 1) == 2)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 1.5, random: 0) == 1.5)
        #expect(policy.delay(afterAttempt: 1, retryAfter: 60, random: 0) == 2)
        #expect(S3Client.rangeHeader(.bounded(offset: 3, length: Int.max)) == "bytes=3-")
        #expect(S3Client.rangeHeader(.suffix(length: 8)) == "bytes=-8")
        #expect(S3Client.rangeHeader(.bounded(offset: 0, length: 0)) == nil)
    }
}
