import { loadConfig } from "../infra/config.ts";
import { isSealed, Keyring, open, seal } from "./envelope.ts";

// The process's keyring. Entry points install the one from their config; anything else (scripts, test
// helpers) gets the one of its own environment on first use.
let installed: Keyring | null = null;

export function installKeyring(keyring: Keyring): void {
  installed = keyring;
}

export function keyringFromConfig(config: { DATA_KEKS: readonly { id: string; key: Buffer }[] }): Keyring {
  return new Keyring(config.DATA_KEKS);
}

export function dataKeyring(): Keyring {
  installed ??= keyringFromConfig(loadConfig());
  return installed;
}

export function sealText(value: string): string;
export function sealText(value: string | null): string | null;
export function sealText(value: string | null): string | null {
  return value === null ? null : seal(dataKeyring(), value);
}

/** Values written before encryption (no `enc:v1:` prefix) are read as they are; keys:rotate seals them. */
export function openText(value: string): string;
export function openText(value: string | null): string | null;
export function openText(value: string | null): string | null {
  return value !== null && isSealed(value) ? open(dataKeyring(), value) : value;
}

/** For JSONB columns: the sealed JSON text is stored as a JSON string, so no column changes type. */
export const sealJson = (value: unknown): string => JSON.stringify(sealText(JSON.stringify(value ?? null)));

/** A JSONB value as read: a sealed string is opened, a legacy plain object is returned as it is. */
export function openJson<T>(value: unknown): T {
  return (typeof value === "string" && isSealed(value) ? JSON.parse(openText(value)) : value) as T;
}
