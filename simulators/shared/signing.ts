import { createHmac } from "node:crypto";

/** Stripe-Signature header value: `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<rawBody>")>`. */
export function stripeSignatureHeader(secret: string, rawBody: string, timestamp: number): string {
  return `t=${timestamp},v1=${stripeV1Signature(secret, rawBody, timestamp)}`;
}

export function stripeV1Signature(secret: string, rawBody: string, timestamp: number): string {
  return createHmac("sha256", secret).update(`${timestamp}.${rawBody}`, "utf8").digest("hex");
}

/** The NotificationRequestItem fields Adyen signs. */
export interface AdyenSignedFields {
  pspReference: string;
  originalReference?: string;
  merchantAccountCode: string;
  merchantReference: string;
  amount: { value: bigint | number; currency: string };
  eventCode: string;
  success: string;
}

/** pspReference:originalReference:merchantAccountCode:merchantReference:value:currency:eventCode:success */
export function adyenSigningString(item: AdyenSignedFields): string {
  return [
    item.pspReference,
    item.originalReference ?? "",
    item.merchantAccountCode,
    item.merchantReference,
    String(item.amount.value),
    item.amount.currency,
    item.eventCode,
    item.success,
  ].join(":");
}

/** Base64 HMAC-SHA256 of the signing string, keyed with the hex key decoded to bytes. */
export function adyenHmacSignature(hmacKeyHex: string, item: AdyenSignedFields): string {
  return createHmac("sha256", Buffer.from(hmacKeyHex, "hex"))
    .update(adyenSigningString(item), "utf8")
    .digest("base64");
}
