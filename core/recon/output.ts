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

/** Local directory (RECON_OUTPUT_DIR): for development and tests. */
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

/** The S3 bucket, through core/infra/object-store.ts. ObjectStore has no delete: the old key stays. */
export class ObjectStoreOutput implements ReconOutput {
  constructor(
    private readonly store: ObjectStore,
    private readonly bucket: string,
  ) {}

  async write(key: string, body: Readable): Promise<string> {
    await this.store.putStream(key, body, "text/csv");
    return `s3://${this.bucket}/${key}`;
  }

  async remove(_key: string): Promise<void> {}
}

/** RECON_OUTPUT=file (default; RECON_OUTPUT_DIR, default .recon-output) or s3 (bucket S3_BUCKET_RECON). */
export function reconOutputFromEnv(
  env: NodeJS.ProcessEnv,
  objectStore: (bucket: string) => ObjectStore,
): ReconOutput {
  const kind = env.RECON_OUTPUT || "file";
  if (kind === "s3") {
    const bucket = env.S3_BUCKET_RECON || "payments-recon";
    return new ObjectStoreOutput(objectStore(bucket), bucket);
  }
  if (kind !== "file") throw new Error(`RECON_OUTPUT must be file or s3, not ${kind}`);
  return new LocalDirOutput(env.RECON_OUTPUT_DIR || ".recon-output");
}
