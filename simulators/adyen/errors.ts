import { SimHttpError, type SimResponse } from "../shared/sim-response.ts";

type AdyenErrorType = "validation" | "security" | "internal" | "configuration";

/**
 * Adyen's error shape: {status, errorCode, message, errorType, pspReference?}. Codes follow Adyen's
 * generic list where one fits (000, 010, 100, 137, 138, 167, 704); see simulators/README.md.
 */
export function adyenErrorResponse(
  status: number,
  errorCode: string,
  message: string,
  errorType: AdyenErrorType = "validation",
): SimResponse {
  return { status, body: { status, errorCode, message, errorType } };
}

const fail = (errorCode: string, message: string) =>
  new SimHttpError(adyenErrorResponse(422, errorCode, message));

export const adyenErrors = {
  missingField: (field: string) => fail("100", `Required field '${field}' is not provided.`),
  invalidAmount: (detail = "Invalid amount specified") => fail("137", detail),
  currencyMismatch: () => fail("138", "Modification in different currency than authorisation"),
  unknownPayment: (psp: string) =>
    fail("167", `Original pspReference required for this operation: ${psp} not found`),
  notAllowed: (detail: string) => fail("010", `Not allowed: ${detail}`),
  unknownStoredMethod: (token: string) => fail("803", `PaymentDetail not found: ${token}`),
  unparseable: () => new SimHttpError(adyenErrorResponse(400, "000", "Unable to parse message.")),
  unauthorized: () => adyenErrorResponse(401, "000", "HTTP Status Response - Unauthorized", "security"),
  rateLimited: () => adyenErrorResponse(429, "000", "Too Many Requests", "validation"),
  serverError: () => adyenErrorResponse(500, "000", "Internal error (simulated PSP failure)", "internal"),
  /** What preflightFault answers for the fault tokens. */
  preflight: () => ({
    serverError: adyenErrors.serverError,
    unauthorized: adyenErrors.unauthorized,
    rateLimited: adyenErrors.rateLimited,
  }),
  idempotencyMismatch: () =>
    adyenErrorResponse(422, "000", "Idempotency-Key was already used with a different request body"),
  // Adyen marks this one as transient: the same request may be retried once the first completes.
  idempotencyInFlight: (): SimResponse => ({
    ...adyenErrorResponse(422, "704", "request already processed or in progress"),
    headers: { "transient-error": "true" },
  }),
};
