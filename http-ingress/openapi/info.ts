import { JSON_LIMITS } from "../json-limits.ts";
import { REPLY_TIMEOUT_DEFAULT_TEXT } from "./operations.ts";

const limits = `bodies are at most ${JSON_LIMITS.bytes / 1024} KiB (413), ${JSON_LIMITS.depth} levels deep and ${JSON_LIMITS.keys.toLocaleString("en-US")} keys (400)`;

const DESCRIPTION = `Thin HTTP ingress of a Kafka-native payment service. Every mutation becomes a command on Kafka (key = payment_id); a processor applies it and the ingress answers with the processor's reply, waiting at most ${REPLY_TIMEOUT_DEFAULT_TEXT} before answering 202 with a Location to poll.

**Amounts** are decimal strings in major units ("49.99" USD, "5000" JPY), never JSON numbers; responses always carry exactly the currency's decimals.

**Errors** are \`{"error": {"type", "code", "message", "field"?}}\` with a stable \`code\`. 422 validation, 404 unknown id, 402 decline or fraud block, 409 invalid state / over-capture / over-refund / Idempotency-Key misuse, 429 rate limit, 503 dependency down or the service at capacity (\`overloaded\`, with Retry-After). The PSP webhook endpoints answer 401 to a signature that does not verify and 400 to a malformed event.

**Card data**: tokens only. A card number or a security-code key anywhere in a body, or in a header of a POST, is refused with 422 \`pan_not_allowed\`. Every POST needs \`Content-Type: application/json\`, even an empty one (415); ${limits}.

**Simulator test tokens** (both PSPs): \`pm_card_visa\`, \`pm_card_mastercard\` approve; \`pm_card_chargeDeclined\` → 402 card_declined; \`pm_card_chargeDeclinedInsufficientFunds\` → 402 insufficient_funds; \`pm_card_chargeDeclinedFraudulent\` → 402 fraudulent; \`pm_card_authenticationRequired\` → requires_action; \`pm_card_radarBlock\` → 402 fraud_blocked (no PSP call). Fault tokens are documented with the simulators (docs/).

See docs/api.md for the design decisions behind this contract.
`;

export const INFO = { title: "Payment service HTTP API", version: "1.0.0", description: DESCRIPTION };

export const SERVERS = [{ url: "http://127.0.0.1:8080", description: "local" }];

export const TAGS = [
  { name: "payments" },
  { name: "operations" },
  {
    name: "webhooks",
    description:
      "PSP callbacks. Authenticated by their signature (no API key, no Idempotency-Key); deduplicated on the PSP event id and processed asynchronously. See docs/adr/0006-webhooks.md.",
  },
];
