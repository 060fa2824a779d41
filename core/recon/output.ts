import { createWriteStream } from "node:fs";
import { mkdir, rm } from "node:fs/promises";
import path from "node:path";
import type { Readable } from "node:stream";
import { pipeline } from "node:stream/promises";
import type { ObjectStore } from "../infra/object-store.ts";

/** Where reconciliation reports go. `write` streams; it returns the URI printed for the operator. */
export interface ReconOutput {
  write(key: string, body: Readable): Promise<string>;
  /** Removes an earlier report (a re-run replaces its own output); a missing key is not an error. */
  remove(key: string): Promise<void>;
}

/** Local directory (RECON_OUTPUT=file, RECON_OUTPUT_DIR): for local use without an object store. */
export class LocalDirOutput implements ReconOutput {
  constructor(private readonly dir: string) {}

  async write(key: string, body: Readable): Promise<string> {
    const file = this.pathOf(key);
    await mkdir(path.dirname(file), { recursive: true });
    await pipeline(body, createWriteStream(file));
    return `file://${file}`;
  }

  async remove(key: string): Promise<void> {
    await rm(this.pathOf(key), { force: true });
  }

  pathOf(key: string): string {
    const file = path.resolve(this.dir, key);
    if (!file.startsWith(path.resolve(this.dir) + path.sep))
      throw new Error(`key escapes the output directory: ${key}`);
    return file;
  }
}

/** The S3 bucket (the default output), through core/infra/object-store.ts. */
export class ObjectStoreOutput implements ReconOutput {
  constructor(
    private readonly store: ObjectStore,
    private readonly bucket: string,
  ) {}

  async write(key: string, body: Readable): Promise<string> {
    await this.store.putStream(key, body, "text/csv");
    return `s3://${this.bucket}/${key}`;
  }

  async remove(key: string): Promise<void> {
    await this.store.delete(key);
  }
}

/** RECON_OUTPUT=s3 (default; bucket S3_BUCKET_RECON, default payments-recon) or file (RECON_OUTPUT_DIR, default .recon-output). */
export function reconOutputFromEnv(
  env: NodeJS.ProcessEnv,
  objectStore: (bucket: string) => ObjectStore,
): ReconOutput {
  const kind = env.RECON_OUTPUT || "s3";
  if (kind === "s3") {
    const bucket = env.S3_BUCKET_RECON || "payments-recon";
    return new ObjectStoreOutput(objectStore(bucket), bucket);
  }
  if (kind !== "file") throw new Error(`RECON_OUTPUT must be s3 or file, not ${kind}`);
  return new LocalDirOutput(env.RECON_OUTPUT_DIR || ".recon-output");
}
