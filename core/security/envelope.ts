import { createCipheriv, createDecipheriv } from "node:crypto";
import { secureRandomBytes } from "../infra/secure-random.ts";

/**
 * Envelope encryption of single values (docs/security.md, "Encryption at rest"). Each value gets its own
 * AES-256-GCM data key (DEK), wrapped by a key-encryption key (KEK) from the environment; the text form
 * names the KEK, so a KEK can rotate by re-wrapping 60 bytes per value without touching the ciphertext:
 *
 *   enc:v1:<kek id>:<wrapped DEK>:<iv>:<tag>:<ciphertext>   (the last four base64url)
 *
 * A fresh DEK per value means no nonce budget to track, no key state shared between processes, and a
 * stolen DEK opens exactly one value.
 */
export interface Kek {
  id: string;
  key: Buffer;
}

export const SEALED_PREFIX = "enc:v1:";
export const KEK_ID = /^[A-Za-z0-9_-]{1,40}$/;
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

export class EnvelopeError extends Error {}

/** The active KEKs: `current` seals, every one of them opens. */
export class Keyring {
  readonly current: Kek;
  private readonly byId: Map<string, Buffer>;

  constructor(keks: readonly Kek[], currentId?: string) {
    if (keks.length === 0) throw new EnvelopeError("a keyring needs at least one KEK");
    this.byId = new Map();
    for (const k of keks) {
      if (!KEK_ID.test(k.id))
        throw new EnvelopeError(`KEK id ${JSON.stringify(k.id)} is not [A-Za-z0-9_-]{1,40}`);
      if (k.key.length !== KEY_BYTES) throw new EnvelopeError(`KEK ${k.id} is not ${KEY_BYTES} bytes`);
      if (this.byId.has(k.id)) throw new EnvelopeError(`KEK id ${k.id} is listed twice`);
      this.byId.set(k.id, k.key);
    }
    const id = currentId ?? keks[keks.length - 1]?.id ?? "";
    const key = this.byId.get(id);
    if (!key) throw new EnvelopeError(`current KEK ${id} is not in the keyring`);
    this.current = { id, key };
  }

  ids(): string[] {
    return [...this.byId.keys()];
  }

  keyFor(id: string): Buffer {
    const key = this.byId.get(id);
    if (!key) throw new EnvelopeError(`KEK ${id} is not configured (DATA_KEKS)`);
    return key;
  }
}

export const isSealed = (value: string): boolean => value.startsWith(SEALED_PREFIX);

interface Parts {
  kekId: string;
  wrappedDek: Buffer;
  iv: Buffer;
  tag: Buffer;
  ciphertext: Buffer;
}

const b64 = (b: Buffer) => b.toString("base64url");

function gcmEncrypt(key: Buffer, plaintext: Buffer, aad: Buffer): { iv: Buffer; tag: Buffer; ct: Buffer } {
  const iv = secureRandomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv).setAAD(aad);
  const ct = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return { iv, tag: cipher.getAuthTag(), ct };
}

function gcmDecrypt(key: Buffer, iv: Buffer, tag: Buffer, ct: Buffer, aad: Buffer): Buffer {
  const decipher = createDecipheriv("aes-256-gcm", key, iv, { authTagLength: TAG_BYTES }).setAAD(aad);
  decipher.setAuthTag(tag);
  try {
    return Buffer.concat([decipher.update(ct), decipher.final()]);
  } catch {
    throw new EnvelopeError("sealed value failed authentication (wrong KEK or tampered)");
  }
}

// The wrap binds the KEK id, so a wrapped DEK cannot be relabelled as another key's.
const wrapAad = (kekId: string) => Buffer.from(`${SEALED_PREFIX}${kekId}`);
const DATA_AAD = Buffer.from(SEALED_PREFIX);

function wrapDek(kek: Kek, dek: Buffer): Buffer {
  const { iv, tag, ct } = gcmEncrypt(kek.key, dek, wrapAad(kek.id));
  return Buffer.concat([iv, ct, tag]);
}

function unwrapDek(keyring: Keyring, kekId: string, wrapped: Buffer): Buffer {
  if (wrapped.length !== IV_BYTES + KEY_BYTES + TAG_BYTES)
    throw new EnvelopeError("wrapped DEK has the wrong size");
  const iv = wrapped.subarray(0, IV_BYTES);
  const ct = wrapped.subarray(IV_BYTES, IV_BYTES + KEY_BYTES);
  const tag = wrapped.subarray(IV_BYTES + KEY_BYTES);
  return gcmDecrypt(keyring.keyFor(kekId), iv, tag, ct, wrapAad(kekId));
}

function format(p: Parts): string {
  return `${SEALED_PREFIX}${p.kekId}:${b64(p.wrappedDek)}:${b64(p.iv)}:${b64(p.tag)}:${b64(p.ciphertext)}`;
}

function parse(sealed: string): Parts {
  if (!isSealed(sealed)) throw new EnvelopeError("not a sealed value");
  const fields = sealed.slice(SEALED_PREFIX.length).split(":");
  const [kekId, wrapped, iv, tag, ct] = fields;
  if (fields.length !== 5 || kekId === undefined || !KEK_ID.test(kekId))
    throw new EnvelopeError("malformed sealed value");
  const buf = (s: string | undefined) => Buffer.from(s ?? "", "base64url");
  const parts = { kekId, wrappedDek: buf(wrapped), iv: buf(iv), tag: buf(tag), ciphertext: buf(ct) };
  if (parts.iv.length !== IV_BYTES || parts.tag.length !== TAG_BYTES)
    throw new EnvelopeError("malformed sealed value");
  return parts;
}

export function seal(keyring: Keyring, plaintext: string): string {
  const dek = secureRandomBytes(KEY_BYTES);
  try {
    const { iv, tag, ct } = gcmEncrypt(dek, Buffer.from(plaintext, "utf8"), DATA_AAD);
    return format({
      kekId: keyring.current.id,
      wrappedDek: wrapDek(keyring.current, dek),
      iv,
      tag,
      ciphertext: ct,
    });
  } finally {
    dek.fill(0);
  }
}

export function open(keyring: Keyring, sealed: string): string {
  const p = parse(sealed);
  const dek = unwrapDek(keyring, p.kekId, p.wrappedDek);
  try {
    return gcmDecrypt(dek, p.iv, p.tag, p.ciphertext, DATA_AAD).toString("utf8");
  } finally {
    dek.fill(0);
  }
}

export const kekIdOf = (sealed: string): string => parse(sealed).kekId;

/** The same value under the current KEK: only the DEK is re-wrapped; already current comes back as is. */
export function rewrap(keyring: Keyring, sealed: string): string {
  const p = parse(sealed);
  if (p.kekId === keyring.current.id) return sealed;
  const dek = unwrapDek(keyring, p.kekId, p.wrappedDek);
  try {
    return format({ ...p, kekId: keyring.current.id, wrappedDek: wrapDek(keyring.current, dek) });
  } finally {
    dek.fill(0);
  }
}
