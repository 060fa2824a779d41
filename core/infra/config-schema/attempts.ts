import { flag, positiveInt, section, setting } from "./setting.ts";

export const janitorSection = section({
  title: "Janitor and the attempt lifecycle",
  intro:
    "ADR 0008: PSP attempts that are open (pending with a dead handler, unknown, parked, accepted) are asked again at the PSP under their own idempotency key, with backoff, until they settle or a person is asked (manual review).",
  shape: {
    JANITOR_ENABLED: setting(flag("true"), { description: "Whether this processor runs a janitor." }),
    JANITOR_INTERVAL_MS: setting(positiveInt.default(5_000), {
      description: "How often the janitor looks for due attempts.",
    }),
    JANITOR_BATCH: setting(positiveInt.default(50), {
      description: "Attempts (and, separately, compensations) a janitor claims per round.",
    }),
    JANITOR_PARALLEL: setting(positiveInt.default(4), { description: "Attempts a janitor checks at once." }),
    JANITOR_MIN_AGE_MS: setting(positiveInt.default(60_000), {
      description:
        "Age of a pending attempt before the janitor looks at it: longer than a PSP call with all its retries, so the janitor never races a live first attempt. Webhooks that meet a younger PSP call on their payment wait for it.",
    }),
    JANITOR_FIRST_CHECK_MS: setting(positiveInt.max(60_000).default(30_000), {
      description: "First check of an attempt whose outcome is unknown; also the retry after a failed check.",
    }),
    JANITOR_CHECK_LEASE_MS: setting(positiveInt.default(60_000), {
      description:
        "How long a janitor's claim on an attempt lasts: longer than one check (a PSP call with its retries). Other janitors skip a claimed attempt.",
    }),
    JANITOR_ACCEPTED_CHECK_MS: setting(positiveInt.default(60_000), {
      description: "First check of an attempt the PSP accepted for later processing.",
    }),
    JANITOR_MAX_BACKOFF_MS: setting(positiveInt.default(15 * 60_000), {
      description: "Cap of the doubling wait between checks of one attempt.",
    }),
    REVIEW_AFTER_CHECKS: setting(positiveInt.default(8), {
      description: "Checks after which an attempt still open goes to manual review.",
    }),
    REVIEW_AFTER_MS: setting(positiveInt.default(3_600_000), {
      description: "Age after which an attempt still open goes to manual review.",
    }),
    PSP_PARK_RETRY_MS: setting(positiveInt.default(30_000), {
      description: "How soon a request parked while its PSP was unavailable (never sent) is tried again.",
    }),
    PSP_PARK_DEADLINE_MS: setting(positiveInt.default(15 * 60_000), {
      description: "How long a parked request is tried before the payment fails with psp_unavailable.",
    }),
    COMMAND_CLAIM_LEASE_MS: setting(positiveInt.default(15_000), {
      description:
        "A processor's claim on a command it is applying, renewed while it works: a second copy (a rebalance, a duplicate) waits for it or for the lease to lapse.",
    }),
  },
});

export const webhookProcessingSection = section({
  title: "Webhook processing",
  shape: {
    WEBHOOK_RETRY_MS: setting(positiveInt.default(1_000), {
      description:
        "How soon a webhook event that met a live PSP call on its payment is looked at again (it is parked until then); also how often parked events are swept.",
    }),
    WEBHOOK_PARKED_BATCH: setting(positiveInt.default(50), {
      description: "Parked events re-applied per sweep.",
    }),
    WEBHOOK_FAILED_PARK_DELAY_MS: setting(positiveInt.default(60_000), {
      description: "How long a parked event whose re-application failed waits before the next try.",
    }),
  },
});

export const housekeepingSection = section({
  title: "Housekeeping",
  intro: "Upkeep every processor runs for a process that lives for months.",
  shape: {
    HOUSEKEEPING_INTERVAL_MS: setting(positiveInt.default(6 * 3_600_000), {
      description: "How often it runs.",
    }),
    PAYMENT_PARTITIONS_AHEAD_MONTHS: setting(positiveInt.default(3), {
      description: "Monthly partitions of `payments` created ahead of time.",
    }),
    WEBHOOK_INBOX_RETENTION_MS: setting(positiveInt.default(35 * 24 * 3_600_000), {
      description:
        "How long a processed webhook event's dedupe row is kept: Adyen retries an unacknowledged notification for up to 30 days (Stripe for 3), and a late redelivery must still be seen as a duplicate.",
    }),
    COMMAND_CLAIM_RETENTION_MS: setting(positiveInt.default(3_600_000), {
      description: "How long lapsed command claims are kept before they are deleted.",
    }),
  },
});
