/** Payment-method tokens the campaign draws from, with weights: mostly approvals, then every fault. */
export const BASE_TOKENS: ReadonlyArray<readonly [string, number]> = [
  ["pm_card_visa", 30],
  ["pm_card_mastercard", 8],
  ["pm_card_chargeDeclined", 3],
  ["pm_card_chargeDeclinedInsufficientFunds", 2],
  ["pm_card_radarBlock", 2],
  ["pm_sim_timeout", 5],
  ["pm_sim_psp_error", 3],
  ["pm_sim_psp_error_once", 4],
  ["pm_sim_slow", 4],
  ["pm_sim_duplicate_webhook", 5],
  ["pm_sim_out_of_order_webhook", 5],
  ["pm_sim_refund_pending", 4],
  ["pm_sim_refund_fail", 3],
  ["pm_sim_fraud_down", 2],
  ["pm_sim_fraud_timeout", 2],
];

/** A 401 from the PSP (wrong or rotated key); used only when the simulators know the token. */
export const AUTH_ERROR_TOKEN = "pm_sim_psp_auth_error";

export function campaignTokens(withAuthError: boolean): ReadonlyArray<readonly [string, number]> {
  return withAuthError ? [...BASE_TOKENS, [AUTH_ERROR_TOKEN, 3] as const] : BASE_TOKENS;
}

/** Tokens that are themselves a fault (PSP 5xx, timeout, slow, 401, fraud down, webhook games). */
export const isFaultToken = (token: string) => token.startsWith("pm_sim_");
