import { randomBytes } from "node:crypto";

const ALPHANUMERIC = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789abcdefghijklmnopqrstuvwxyz";

function randomString(length: number, alphabet: string): string {
  const bytes = randomBytes(length);
  let out = "";
  for (const byte of bytes) out += alphabet[byte % alphabet.length];
  return out;
}

/** Stripe-style object id: `pi_3Nx…`, `ch_…`, `re_…`, `evt_…`. */
export function stripeId(prefix: string): string {
  return `${prefix}_${randomString(24, ALPHANUMERIC)}`;
}

/** Adyen pspReference: 16 upper-case alphanumerics. */
export function adyenPspReference(): string {
  return randomString(16, ALPHANUMERIC.slice(0, 36));
}

export function unixNow(): number {
  return Math.floor(Date.now() / 1000);
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
