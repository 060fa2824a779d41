import { describe, expect, it } from "vitest";
import { s3SettingsFromEnv } from "../../core/infra/object-store.ts";

describe("object store settings (S3_* / AWS_*)", () => {
  it("defaults to the local stack's s3proxy outside production", () => {
    expect(s3SettingsFromEnv({})).toEqual({
      endpoint: "http://127.0.0.1:9000",
      forcePathStyle: true,
      region: "us-east-1",
      accessKeyId: "payments-dev",
      secretAccessKey: "payments-dev-secret",
    });
  });

  it("talks to AWS itself in production unless told otherwise, credentials from the SDK's chain", () => {
    expect(s3SettingsFromEnv({ NODE_ENV: "production", AWS_REGION: "eu-west-1" })).toEqual({
      endpoint: undefined,
      forcePathStyle: false,
      region: "eu-west-1",
      accessKeyId: undefined,
      secretAccessKey: undefined,
    });
  });

  it("refuses the dev secret in production and a malformed S3_FORCE_PATH_STYLE", () => {
    expect(() =>
      s3SettingsFromEnv({
        NODE_ENV: "production",
        AWS_ACCESS_KEY_ID: "k",
        AWS_SECRET_ACCESS_KEY: "payments-dev-secret",
      }),
    ).toThrow(/DEV DEFAULT/);
    expect(() => s3SettingsFromEnv({ S3_FORCE_PATH_STYLE: "yes" })).toThrow(/S3_FORCE_PATH_STYLE/);
  });
});
