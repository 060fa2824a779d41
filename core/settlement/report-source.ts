import { createReadStream } from "node:fs";
import { Readable } from "node:stream";
import type { ObjectStore } from "../infra/object-store.ts";
import type { SettlementPsp } from "./settlement-line.ts";

export type ReportSource =
  | { kind: "psp"; baseUrl: string; date: string }
  | { kind: "file"; path: string }
  | { kind: "s3"; store: ObjectStore; key: string };

/**
 * Opens a settlement report as a byte stream. From the PSP: the simulators' `GET
 * /_sim/settlement-report?date=` (a real PSP hands the file over by SFTP, its reporting API or a
 * download, which lands in a file or an S3 key).
 */
export async function openReport(psp: SettlementPsp, source: ReportSource): Promise<Readable> {
  if (source.kind === "file") return createReadStream(source.path);
  if (source.kind === "s3") return source.store.getStream(source.key);
  const url = `${source.baseUrl}/_sim/settlement-report?date=${encodeURIComponent(source.date)}`;
  const res = await fetch(url, { signal: AbortSignal.timeout(60_000) });
  if (!res.ok || res.body === null)
    throw new Error(`${psp} settlement report ${url} answered ${res.status}: ${await res.text()}`);
  return Readable.fromWeb(res.body as import("node:stream/web").ReadableStream);
}
