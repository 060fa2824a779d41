/** Where to poll a payment: sent with 201 (created) and 202 (outcome not known yet). */
export function locationFor(status: number, paymentId: string): string | undefined {
  return status === 201 || status === 202 ? `/payments/${paymentId}` : undefined;
}
