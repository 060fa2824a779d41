/** Pure readings of the addresses in the configuration: which hosts they name, and how they connect. */

const LOOPBACK_NAMES = new Set(["localhost", "::1", "[::1]", "0:0:0:0:0:0:0:1"]);

/** Loopback or a local socket: only this machine can answer. An empty host is a Unix socket. */
export function isLoopbackHost(host: string): boolean {
  const h = host.toLowerCase();
  return (
    h === "" ||
    h.startsWith("/") ||
    LOOPBACK_NAMES.has(h) ||
    h.endsWith(".localhost") ||
    /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)
  );
}

function parseUrl(url: string): URL | undefined {
  try {
    return new URL(url);
  } catch {
    return undefined;
  }
}

/** The PostgreSQL server a connection string names (its `host` parameter wins, as in libpq). */
export function databaseHost(url: string): string {
  const parsed = parseUrl(url);
  if (!parsed) return "";
  return parsed.searchParams.get("host") ?? decodeURIComponent(parsed.hostname);
}

export function databasePassword(url: string): string {
  const parsed = parseUrl(url);
  return parsed ? decodeURIComponent(parsed.password) : "";
}

/** `sslmode` as written in the connection string, or undefined. */
export function databaseSslMode(url: string): string | undefined {
  return parseUrl(url)?.searchParams.get("sslmode") ?? undefined;
}

/** The hosts of a KAFKA_BROKERS list (`host:port,host:port`, with or without a `SCHEME://`). */
export function kafkaHosts(brokers: string): string[] {
  return brokers
    .split(",")
    .map((b) => b.trim().replace(/^[a-z_]+:\/\//i, ""))
    .filter((b) => b !== "")
    .map((b) => (b.startsWith("[") ? b.slice(0, b.indexOf("]") + 1) : b.replace(/:\d+$/, "")));
}

export function urlHost(url: string): string {
  return parseUrl(url)?.hostname ?? "";
}

export function isHttps(url: string): boolean {
  return parseUrl(url)?.protocol === "https:";
}
