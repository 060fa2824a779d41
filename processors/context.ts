import type { FraudPolicy } from "../core/domain/fraud-policy.ts";
import type { PspName } from "../core/domain/payment-status.ts";
import type { PspRouting } from "../core/domain/psp-routing.ts";
import type { Logger } from "../core/infra/logger.ts";
import type { FraudScorer } from "../core/ports/fraud-scorer.ts";
import type { PaymentConnector } from "../core/ports/payment-connector.ts";
import type { CommitGroups } from "../db/commit-group.ts";
import type { Pool } from "../db/pool.ts";
import type { AttemptOwners } from "./attempt-owners.ts";
import type { AttemptLifecycle } from "./attempts/lifecycle.ts";
import type { CommandClaims } from "./command-claims.ts";
import type { CommandIntakes } from "./command-intake.ts";
import type { OutcomeEvents } from "./outcome-events.ts";

export interface ProcessorContext {
  pool: Pool;
  connectors: Record<PspName, PaymentConnector>;
  fraud: FraudScorer;
  fraudPolicy: FraudPolicy;
  events: OutcomeEvents;
  logger: Logger;
  lifecycle: AttemptLifecycle;
  claims: CommandClaims;
  intake: CommandIntakes;
  attemptOwners: AttemptOwners;
  /** Group commit of the commands' database phases (db/commit-group.ts). */
  commits: CommitGroups;
  routing: PspRouting;
}
