import type { Readable } from "node:stream";
import { DeleteObjectCommand, GetObjectCommand, ListObjectsV2Command, S3Client } from "@aws-sdk/client-s3";
import { Upload } from "@aws-sdk/lib-storage";
import { DEV_S3_ACCESS_KEY_ID, DEV_S3_ENDPOINT, DEV_S3_SECRET_ACCESS_KEY } from "./dev-defaults.ts";

/** A bucket of an S3-compatible store (s3proxy locally, MinIO or AWS S3 elsewhere). */
export interface ObjectStore {
  /** Streams `body` to `key` as a multipart upload; never holds the whole object in memory. */
  putStream(key: string, body: Readable, contentType: string): Promise<void>;
  /** Throws ObjectNotFoundError when there is no such key. */
  getStream(key: string): Promise<Readable>;
  list(prefix: string): Promise<ObjectInfo[]>;
  /** Removes `key`; a key that does not exist is not an error (S3's DeleteObject semantics). */
  delete(key: string): Promise<void>;
}

export interface ObjectInfo {
  key: string;
  size: number;
}

export class ObjectNotFoundError extends Error {
  constructor(
    readonly bucket: string,
    readonly key: string,
  ) {
    super(`s3://${bucket}/${key} does not exist`);
  }
}

export interface S3Settings {
  /** Unset: AWS itself (the SDK's regional endpoint). */
  endpoint: string | undefined;
  forcePathStyle: boolean;
  region: string;
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
}

/** 5 MiB, S3's minimum part size (every part but the last). */
export const PART_SIZE = 5 * 1024 * 1024;
const PARTS_IN_FLIGHT = 4;

/**
 * S3_ENDPOINT, S3_FORCE_PATH_STYLE, AWS_REGION, AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY. Outside
 * production a missing endpoint/key falls back to the local stack's DEV DEFAULT; in production
 * missing keys are left to the SDK's credential chain (instance role, profile).
 */
export function s3SettingsFromEnv(env: NodeJS.ProcessEnv = process.env): S3Settings {
  const dev = env.NODE_ENV !== "production";
  const endpoint = env.S3_ENDPOINT || (dev ? DEV_S3_ENDPOINT : undefined);
  const accessKeyId = env.AWS_ACCESS_KEY_ID || (dev ? DEV_S3_ACCESS_KEY_ID : undefined);
  const secretAccessKey = env.AWS_SECRET_ACCESS_KEY || (dev ? DEV_S3_SECRET_ACCESS_KEY : undefined);
  if (!dev && secretAccessKey === DEV_S3_SECRET_ACCESS_KEY)
    throw new Error("AWS_SECRET_ACCESS_KEY is the local stack's DEV DEFAULT: refused in production");
  const pathStyle = env.S3_FORCE_PATH_STYLE ?? (endpoint === undefined ? "false" : "true");
  if (pathStyle !== "true" && pathStyle !== "false")
    throw new Error(`S3_FORCE_PATH_STYLE must be true or false, got ${pathStyle}`);
  return {
    endpoint,
    forcePathStyle: pathStyle === "true",
    region: env.AWS_REGION || "us-east-1",
    accessKeyId,
    secretAccessKey,
  };
}

export function createS3Client(settings: S3Settings): S3Client {
  const { accessKeyId, secretAccessKey } = settings;
  return new S3Client({
    region: settings.region,
    forcePathStyle: settings.forcePathStyle,
    ...(settings.endpoint === undefined ? {} : { endpoint: settings.endpoint }),
    ...(accessKeyId && secretAccessKey ? { credentials: { accessKeyId, secretAccessKey } } : {}),
  });
}

export class S3ObjectStore implements ObjectStore {
  constructor(
    readonly client: S3Client,
    readonly bucket: string,
  ) {}

  async putStream(key: string, body: Readable, contentType: string): Promise<void> {
    const upload = new Upload({
      client: this.client,
      params: { Bucket: this.bucket, Key: key, Body: body, ContentType: contentType },
      partSize: PART_SIZE,
      queueSize: PARTS_IN_FLIGHT,
      leavePartsOnError: false,
    });
    await upload.done();
  }

  async getStream(key: string): Promise<Readable> {
    try {
      const answer = await this.client.send(new GetObjectCommand({ Bucket: this.bucket, Key: key }));
      return answer.Body as Readable;
    } catch (err) {
      if ((err as { name?: string }).name === "NoSuchKey") throw new ObjectNotFoundError(this.bucket, key);
      throw err;
    }
  }

  async list(prefix: string): Promise<ObjectInfo[]> {
    const objects: ObjectInfo[] = [];
    let token: string | undefined;
    do {
      const page = await this.client.send(
        new ListObjectsV2Command({ Bucket: this.bucket, Prefix: prefix, ContinuationToken: token }),
      );
      for (const o of page.Contents ?? []) objects.push({ key: o.Key ?? "", size: o.Size ?? 0 });
      token = page.IsTruncated ? page.NextContinuationToken : undefined;
    } while (token !== undefined);
    return objects;
  }

  async delete(key: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.bucket, Key: key }));
  }
}

export function objectStoreFromEnv(bucket: string, env: NodeJS.ProcessEnv = process.env): S3ObjectStore {
  return new S3ObjectStore(createS3Client(s3SettingsFromEnv(env)), bucket);
}
