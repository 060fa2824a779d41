import { createHash } from "node:crypto";

// A fixed namespace for ids this service derives itself (RFC 9562 UUIDv5).
const NAMESPACE = Buffer.from("6f1c1f8e4b7a4d5e9a3c2b1d0e9f8a7b", "hex");

/** The same name always gives the same UUID: redelivered inputs map to the same payment and commands. */
export function uuidV5(name: string): string {
  const hash = createHash("sha1").update(NAMESPACE).update(name, "utf8").digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString("hex");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
