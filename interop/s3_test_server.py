#!/usr/bin/env python3
"""Run moto's S3 server on loopback for the CubeS3 tests, with signatures checked.

    python interop/s3_test_server.py [--anonymous]

Starts the server on a free port of 127.0.0.1. moto checks signatures only once IAM is in
use, so the first few requests go unauthenticated (INITIAL_NO_AUTH_ACTION_COUNT): they
create an IAM user, a policy allowing s3:*, and an access key for the user. With that key
it creates the buckets `cube-test` and `cube-public`, the latter readable
by anyone (public-read ACLs) and holding `hello.txt`. Then it prints one JSON line
{"endpoint", "access_key_id", "secret_access_key", "bucket", "public_bucket"} and serves
until its standard input closes (the test process ended), so it never outlives the tests.

With --anonymous, IAM stays unused, so moto checks nothing and serves unsigned requests
(with IAM in use it fails them with a 500): the server for the anonymous-access tests.
Its JSON line has empty keys.
"""
import json
import os
import sys

ANONYMOUS = "--anonymous" in sys.argv[1:]
if not ANONYMOUS:
    # Requests allowed before signatures are checked: the IAM set-up below (4 calls).
    os.environ["INITIAL_NO_AUTH_ACTION_COUNT"] = "4"

import boto3  # noqa: E402
from moto.server import ThreadedMotoServer  # noqa: E402


def main():
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    endpoint = f"http://{host}:{port}"
    common = {"endpoint_url": endpoint, "region_name": "us-east-1"}
    key = {"AccessKeyId": "", "SecretAccessKey": ""}
    if not ANONYMOUS:
        key = create_signing_key(common)
    s3 = boto3.client("s3", aws_access_key_id=key["AccessKeyId"] or "any", aws_secret_access_key=key["SecretAccessKey"] or "any",
                      **common)
    s3.create_bucket(Bucket="cube-test")
    s3.create_bucket(Bucket="cube-public", ACL="public-read")
    s3.put_object(Bucket="cube-public", Key="hello.txt", Body=b"hello, anyone", ACL="public-read")
    print(json.dumps({"endpoint": endpoint, "access_key_id": key["AccessKeyId"],
                      "secret_access_key": key["SecretAccessKey"], "bucket": "cube-test",
                      "public_bucket": "cube-public"}), flush=True)
    sys.stdin.read()
    server.stop()


def create_signing_key(common):
    """An IAM user allowed s3:*, and its access key (the only unauthenticated requests)."""
    iam = boto3.client("iam", aws_access_key_id="setup", aws_secret_access_key="setup", **common)
    iam.create_user(UserName="cube")
    policy = iam.create_policy(PolicyName="cube-s3-all", PolicyDocument=json.dumps({
        "Version": "2012-10-17",
        "Statement": [{"Effect": "Allow", "Action": "s3:*", "Resource": "*"}],
    }))
    iam.attach_user_policy(UserName="cube", PolicyArn=policy["Policy"]["Arn"])
    return iam.create_access_key(UserName="cube")["AccessKey"]


if __name__ == "__main__":
    main()
