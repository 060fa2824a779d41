import { housekeepingSection, janitorSection, webhookProcessingSection } from "./attempts.ts";
import { fraudSection } from "./fraud.ts";
import { ingressSection, rateLimitSection } from "./ingress.ts";
import { consumerSection, kafkaSection, kafkaSecuritySection } from "./kafka.ts";
import { keysSection } from "./keys.ts";
import { outboxSection } from "./outbox.ts";
import { pspResilienceSection, pspSection } from "./psp.ts";
import { reconSection } from "./recon.ts";
import { databaseSection, serviceSection } from "./service.ts";

/**
 * Every environment variable of the service config, in groups; docs/configuration.md is rendered from
 * these (`npm run config:docs`). A new setting goes into the group it belongs to, with its `setting` doc.
 */
export const CONFIG_SECTIONS = [
  serviceSection,
  databaseSection,
  kafkaSection,
  kafkaSecuritySection,
  consumerSection,
  ingressSection,
  rateLimitSection,
  outboxSection,
  pspSection,
  pspResilienceSection,
  fraudSection,
  janitorSection,
  webhookProcessingSection,
  housekeepingSection,
  reconSection,
  keysSection,
] as const;

export const configShape = {
  ...serviceSection.shape,
  ...databaseSection.shape,
  ...kafkaSection.shape,
  ...kafkaSecuritySection.shape,
  ...consumerSection.shape,
  ...ingressSection.shape,
  ...rateLimitSection.shape,
  ...outboxSection.shape,
  ...pspSection.shape,
  ...pspResilienceSection.shape,
  ...fraudSection.shape,
  ...janitorSection.shape,
  ...webhookProcessingSection.shape,
  ...housekeepingSection.shape,
  ...reconSection.shape,
  ...keysSection.shape,
};
