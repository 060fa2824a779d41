import { PSP_NAMES, type PspName } from "./payment-status.ts";

/** Per currency (or `*`), the PSPs an authorization may go to, in order of preference. */
export type PspRouting = ReadonlyMap<string, readonly PspName[]>;

/**
 * Parses PSP_ROUTING, e.g. `USD=stripe,adyen;EUR=adyen,stripe;*=stripe,adyen`. Empty means no
 * fallback routing. Throws on an unknown PSP or a malformed entry, so a bad value stops the boot.
 */
export function parseRouting(value: string): PspRouting {
  const routing = new Map<string, PspName[]>();
  for (const entry of value
    .split(";")
    .map((e) => e.trim())
    .filter(Boolean)) {
    const [currency, list] = entry.split("=");
    if (!currency || !list || !/^(\*|[A-Z]{3})$/.test(currency.trim())) {
      throw new Error(`PSP_ROUTING entry "${entry}" is not CUR=psp,psp`);
    }
    const psps = list.split(",").map((p) => p.trim());
    for (const psp of psps) {
      if (!PSP_NAMES.includes(psp as PspName)) throw new Error(`PSP_ROUTING names unknown PSP "${psp}"`);
    }
    routing.set(currency.trim(), psps as PspName[]);
  }
  return routing;
}

/** The PSPs to try after `current` failed to take a request, in configured order, none tried twice. */
export function fallbackPsps(
  routing: PspRouting,
  currency: string,
  current: PspName,
  tried: readonly PspName[],
): PspName[] {
  const order = routing.get(currency) ?? routing.get("*") ?? [];
  if (!order.includes(current)) return [];
  return order.filter((p) => p !== current && !tried.includes(p));
}
