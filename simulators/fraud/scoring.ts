import { createHash } from "node:crypto";

export interface FraudInput {
  payment_id: string;
  order_id: string;
  amount: { value: bigint; currency: string };
  payment_method_token: string;
  customer_id?: string | undefined;
  psp: string;
}

export type Decision = "approve" | "review" | "block";

export interface FraudVerdict {
  risk_score: number;
  decision: Decision;
  reasons: string[];
}

// Minor units, whatever the currency: a simulator rule, not a risk model.
const AMOUNT_BANDS: ReadonlyArray<{ below: bigint; score: number; reason?: string }> = [
  { below: 10_000n, score: 5 },
  { below: 100_000n, score: 15 },
  { below: 1_000_000n, score: 30 },
  { below: 10_000_000n, score: 65, reason: "amount_high" },
];
const TOP_BAND = { score: 75, reason: "amount_very_high" };

/** Deterministic: the same request always scores the same. */
export function score(input: FraudInput): FraudVerdict {
  if (input.payment_method_token === "pm_card_radarBlock") {
    return { risk_score: 99, decision: "block", reasons: ["test_token_radar_block"] };
  }
  const band = AMOUNT_BANDS.find((b) => input.amount.value < b.below) ?? TOP_BAND;
  // A stable 0..9 jitter per card/customer, so scores differ without ever crossing a band.
  const digest = createHash("sha256")
    .update(`${input.payment_method_token}|${input.customer_id ?? ""}`)
    .digest();
  const riskScore = band.score + ((digest[0] ?? 0) % 10);
  return { risk_score: riskScore, decision: decide(riskScore), reasons: band.reason ? [band.reason] : [] };
}

function decide(riskScore: number): Decision {
  if (riskScore >= 90) return "block";
  if (riskScore >= 65) return "review";
  return "approve";
}
