import { createHash, randomUUID } from "node:crypto";
import { Readable } from "node:stream";
import { HeadObjectCommand } from "@aws-sdk/client-s3";
import { afterAll, describe, expect, it } from "vitest";
import { ObjectNotFoundError, objectStoreFromEnv, PART_SIZE } from "../../core/infra/object-store.ts";

const bucket = process.env.S3_BUCKET_RECON ?? "payments-recon";
const store = objectStoreFromEnv(bucket);
const prefix = `test/object-store/${randomUUID()}/`;

/** `total` bytes made chunk by chunk, never held whole: a deterministic pattern per offset. */
function generated(total: number): Readable {
  const chunk = 256 * 1024;
  let sent = 0;
  return new Readable({
    read() {
      if (sent >= total) return void this.push(null);
      const size = Math.min(chunk, total - sent);
      const buf = Buffer.alloc(size);
      for (let i = 0; i < size; i++) buf[i] = (sent + i) % 251;
      sent += size;
      this.push(buf);
    },
  });
}

async function sha256Of(stream: Readable): Promise<{ hash: string; bytes: number }> {
  const hash = createHash("sha256");
  let bytes = 0;
  for await (const chunk of stream) {
    hash.update(chunk as Buffer);
    bytes += (chunk as Buffer).length;
  }
  return { hash: hash.digest("hex"), bytes };
}

describe("S3 object store (s3proxy from the stack)", () => {
  afterAll(() => store.client.destroy());

  it("streams a multipart upload larger than the part size, reads it back and lists it", async () => {
    const size = 2 * PART_SIZE + 123_457;
    const key = `${prefix}big.bin`;
    await store.putStream(key, generated(size), "application/octet-stream");

    // A multipart object's ETag is "<md5 of the part md5s>-<parts>": 5 MiB, 5 MiB, the rest.
    const head = await store.client.send(new HeadObjectCommand({ Bucket: bucket, Key: key }));
    expect(head.ETag).toMatch(/-3"?$/);

    const expected = await sha256Of(generated(size));
    const actual = await sha256Of(await store.getStream(key));
    expect(actual).toEqual(expected);

    await store.putStream(`${prefix}small.csv`, Readable.from(["a,b\n", "1,2\n"]), "text/csv");
    const listed = await store.list(prefix);
    expect(listed.sort((a, b) => a.key.localeCompare(b.key))).toEqual([
      { key: `${prefix}big.bin`, size },
      { key: `${prefix}small.csv`, size: 8 },
    ]);
  });

  it("answers ObjectNotFoundError for a missing key", async () => {
    await expect(store.getStream(`${prefix}nope`)).rejects.toBeInstanceOf(ObjectNotFoundError);
  });

  it("deletes a key, leaves its neighbours, and deleting a missing key is not an error", async () => {
    const doomed = `${prefix}deleted/doomed.csv`;
    const kept = `${prefix}deleted/kept.csv`;
    await store.putStream(doomed, Readable.from(["x\n"]), "text/csv");
    await store.putStream(kept, Readable.from(["y\n"]), "text/csv");
    expect((await store.list(`${prefix}deleted/`)).map((o) => o.key).sort()).toEqual([doomed, kept]);

    await store.delete(doomed);
    expect((await store.list(`${prefix}deleted/`)).map((o) => o.key)).toEqual([kept]);
    await expect(store.getStream(doomed)).rejects.toBeInstanceOf(ObjectNotFoundError);
    await expect(store.delete(doomed)).resolves.toBeUndefined();
  });
});
