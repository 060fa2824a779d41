import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";

/** A logged-in operator: the ops key's SHA-256 (never the key), who they said they are, until when. */
export interface ConsoleSession {
  keyHash: string;
  keyId: string;
  operator: string;
  /** Random per login; the CSRF token is derived from it. */
  nonce: string;
  expiresAt: number;
}

export const SESSION_COOKIE = "ops_session";

const sign = (key: Buffer, text: string) => createHmac("sha256", key).update(text).digest("base64url");

const sameText = (a: string, b: string) => {
  const [x, y] = [Buffer.from(a), Buffer.from(b)];
  return x.length === y.length && timingSafeEqual(x, y);
};

/**
 * Session cookies as `<payload>.<HMAC-SHA256>`: the payload is readable (nothing secret in it) but
 * cannot be made or changed without OPS_CONSOLE_SESSION_SECRET. The cookie and the CSRF token are
 * signed under two keys derived from that secret, so one can never stand for the other.
 */
export class SessionCodec {
  private readonly cookieKey: Buffer;
  private readonly csrfKey: Buffer;

  constructor(
    secret: string,
    readonly ttlMs: number,
  ) {
    this.cookieKey = createHmac("sha256", secret).update("ops-console/session").digest();
    this.csrfKey = createHmac("sha256", secret).update("ops-console/csrf").digest();
  }

  issue(who: Pick<ConsoleSession, "keyHash" | "keyId" | "operator">, now = Date.now()) {
    const session: ConsoleSession = {
      ...who,
      nonce: randomBytes(16).toString("base64url"),
      expiresAt: now + this.ttlMs,
    };
    const payload = Buffer.from(JSON.stringify(session)).toString("base64url");
    return { session, cookie: `${payload}.${sign(this.cookieKey, payload)}` };
  }

  /** The session a cookie stands for, or null: unsigned, tampered with, malformed or expired. */
  read(cookie: string | undefined, now = Date.now()): ConsoleSession | null {
    const [payload, mac, extra] = (cookie ?? "").split(".");
    if (!payload || !mac || extra !== undefined || !sameText(mac, sign(this.cookieKey, payload))) return null;
    try {
      const s = JSON.parse(Buffer.from(payload, "base64url").toString("utf8")) as ConsoleSession;
      const valid =
        typeof s.keyHash === "string" &&
        typeof s.keyId === "string" &&
        typeof s.operator === "string" &&
        typeof s.nonce === "string" &&
        typeof s.expiresAt === "number";
      return valid && s.expiresAt > now ? s : null;
    } catch {
      return null;
    }
  }

  csrfToken(session: ConsoleSession): string {
    return sign(this.csrfKey, session.nonce);
  }

  checkCsrf(session: ConsoleSession, token: string | undefined): boolean {
    return typeof token === "string" && sameText(token, this.csrfToken(session));
  }
}
