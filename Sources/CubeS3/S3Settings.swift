import CubeCore
import Foundation

/// How requests name the bucket: in the path (`endpoint/bucket/key`) or in the host name
/// (`bucket.s3.region.amazonaws.com/key`).
public enum S3Addressing: String, Sendable, Equatable {
    /// `endpoint/bucket/key`: what S3-compatible servers (MinIO, Ceph, moto) expect.
    case path
    /// `bucket.host/key`: what AWS prefers.
    case virtualHosted
}

/// Where and as whom S3 requests go: region, endpoint, addressing and credentials.
///
/// ``resolve(environment:anonymous:readFile:)`` reads them the way the AWS command-line
/// tools and SDKs do, so a user's existing set-up works unchanged. Precedence, first wins:
///
/// - **Anonymous**: the `anonymous` argument when given, else `AWS_NO_SIGN_REQUEST=true`.
///   Anonymous requests are unsigned and need no credentials (public buckets).
/// - **Profile**: `AWS_PROFILE`, else `default`. A named profile is `[NAME]` in the
///   credentials file and `[profile NAME]` in the config file (`[default]` in both for the
///   default profile). The files are `AWS_SHARED_CREDENTIALS_FILE` (else
///   `~/.aws/credentials`) and `AWS_CONFIG_FILE` (else `~/.aws/config`), `~` being `HOME`.
///   A profile named by `AWS_PROFILE` that neither file has is an error.
/// - **Credentials**: `AWS_ACCESS_KEY_ID` with `AWS_SECRET_ACCESS_KEY` (and
///   `AWS_SESSION_TOKEN`), else the profile's `aws_access_key_id`, `aws_secret_access_key`
///   and `aws_session_token` from the credentials file, else from the config file.
/// - **Region**: `AWS_REGION`, else `AWS_DEFAULT_REGION`, else the profile's `region` in
///   the config file, else `us-east-1`.
/// - **Endpoint**: `AWS_ENDPOINT_URL_S3`, else `AWS_ENDPOINT_URL`, else the profile's
///   `endpoint_url` in the config file, else AWS itself (`https://s3.REGION.amazonaws.com`).
/// - **Addressing**: path style with a custom endpoint; virtual-hosted style on AWS, except
///   for bucket names with dots (their host names would not match AWS's certificate).
public struct S3Settings: Sendable, Equatable, CustomStringConvertible {
    /// The region requests are signed for.
    public var region: String
    /// A custom endpoint (`http://127.0.0.1:9000`), or `nil` for AWS.
    public var endpoint: URL?
    /// The credentials requests are signed with, or `nil` for anonymous (unsigned) requests.
    public var credentials: S3Credentials?
    /// Path style or virtual-hosted style (see ``S3Addressing``).
    public var addressing: S3Addressing

    /// Settings given directly; addressing defaults to path style with a custom endpoint and
    /// virtual-hosted style on AWS.
    public init(region: String = "us-east-1", endpoint: URL? = nil, credentials: S3Credentials?,
                addressing: S3Addressing? = nil) {
        self.region = region
        self.endpoint = endpoint
        self.credentials = credentials
        self.addressing = addressing ?? (endpoint == nil ? .virtualHosted : .path)
    }

    /// Whether requests go unsigned.
    public var isAnonymous: Bool { credentials == nil }

    /// Region, endpoint, addressing and who signs; never the secret.
    public var description: String {
        let who = credentials.map(\.description) ?? "anonymous"
        return "S3 in \(region) at \(endpoint?.absoluteString ?? "AWS") (\(addressing.rawValue) style, \(who))"
    }

    /// Resolves the settings from `environment` and the files `readFile` returns (`nil`
    /// for a file that does not exist), following the precedence in the type's summary.
    ///
    /// A pure function of its arguments, so it is tested without touching a real home
    /// directory. Errors (``CubeError/Kind/invalidInput``) name the variable or file at
    /// fault and never a secret.
    public static func resolve(environment: [String: String], anonymous: Bool? = nil,
                               readFile: (String) -> String?) throws -> S3Settings {
        let env = environment.filter { !$0.value.isEmpty }
        let home = env["HOME"] ?? "~"
        let credentialsPath = env["AWS_SHARED_CREDENTIALS_FILE"] ?? "\(home)/.aws/credentials"
        let configPath = env["AWS_CONFIG_FILE"] ?? "\(home)/.aws/config"
        let credentialsFile = readFile(credentialsPath).map(AWSConfigFile.init(parsing:))
        let configFile = readFile(configPath).map(AWSConfigFile.init(parsing:))

        let profileName = env["AWS_PROFILE"] ?? "default"
        let configSectionName = profileName == "default" ? "default" : "profile \(profileName)"
        let fromCredentials = credentialsFile?.section(profileName)
        let fromConfig = configFile?.section(configSectionName)
        if env["AWS_PROFILE"] != nil, fromCredentials == nil, fromConfig == nil {
            throw CubeError(.invalidInput, "AWS profile '\(profileName)' is in neither \(credentialsPath) nor \(configPath)",
                            context: "AWS_PROFILE")
        }

        let region = env["AWS_REGION"] ?? env["AWS_DEFAULT_REGION"] ?? fromConfig?["region"] ?? "us-east-1"
        let endpoint = try endpointURL(env: env, profile: fromConfig, configPath: configPath)

        let unsigned = anonymous ?? (env["AWS_NO_SIGN_REQUEST"]?.lowercased() == "true")
        let credentials: S3Credentials?
        if unsigned {
            credentials = nil
        } else if let found = try keys(in: env, source: "the environment", idName: "AWS_ACCESS_KEY_ID",
                                       secretName: "AWS_SECRET_ACCESS_KEY", tokenName: "AWS_SESSION_TOKEN") {
            credentials = found
        } else if let section = fromCredentials,
                  let found = try keys(in: section, source: credentialsPath, idName: "aws_access_key_id",
                                       secretName: "aws_secret_access_key", tokenName: "aws_session_token") {
            credentials = found
        } else if let section = fromConfig,
                  let found = try keys(in: section, source: configPath, idName: "aws_access_key_id",
                                       secretName: "aws_secret_access_key", tokenName: "aws_session_token") {
            credentials = found
        } else {
            throw CubeError(.notFound, "no AWS credentials: set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, name a profile of \(credentialsPath) in AWS_PROFILE, or set AWS_NO_SIGN_REQUEST=true for public data",
                            context: "S3 profile '\(profileName)'")
        }
        return S3Settings(region: region, endpoint: endpoint, credentials: credentials)
    }

    /// Resolves the settings from this process's environment and the real AWS files.
    public static func fromProcessEnvironment(anonymous: Bool? = nil) throws -> S3Settings {
        try resolve(environment: ProcessInfo.processInfo.environment, anonymous: anonymous) { path in
            try? String(contentsOfFile: path, encoding: .utf8)
        }
    }

    /// The endpoint named by the environment or the profile, checked to be an http(s) URL.
    private static func endpointURL(env: [String: String], profile: [String: String]?, configPath: String) throws -> URL? {
        let named: (value: String, source: String)?
        if let value = env["AWS_ENDPOINT_URL_S3"] {
            named = (value, "AWS_ENDPOINT_URL_S3")
        } else if let value = env["AWS_ENDPOINT_URL"] {
            named = (value, "AWS_ENDPOINT_URL")
        } else if let value = profile?["endpoint_url"], !value.isEmpty {
            named = (value, configPath)
        } else {
            named = nil
        }
        guard let named else { return nil }
        guard let url = URL(string: named.value), let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty
        else {
            throw CubeError(.invalidInput, "endpoint '\(named.value)' is not an http or https URL", context: named.source)
        }
        return url
    }

    /// The key id, secret and token from one source, `nil` if it has no key id; a key id
    /// without its secret is an error naming the source.
    private static func keys(in values: [String: String], source: String, idName: String, secretName: String,
                             tokenName: String) throws -> S3Credentials? {
        guard let id = values[idName], !id.isEmpty else { return nil }
        guard let secret = values[secretName], !secret.isEmpty else {
            throw CubeError(.invalidInput, "\(idName) is set but \(secretName) is not", context: source)
        }
        let token = values[tokenName].flatMap { $0.isEmpty ? nil : $0 }
        return S3Credentials(accessKeyID: id, secretAccessKey: secret, sessionToken: token)
    }
}
