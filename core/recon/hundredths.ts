/** NUMERIC(12,2) text <-> bigint hundredths, for exact comparisons and totals (never floats). */
export function hundredths(numeric: string): bigint {
  const match = /^(-?)(\d+)(?:\.(\d{1,2}))?$/.exec(numeric);
  if (!match) throw new Error(`not a NUMERIC(12,2): ${numeric}`);
  const value = BigInt((match[2] ?? "0") + (match[3] ?? "").padEnd(2, "0"));
  return match[1] === "-" ? -value : value;
}

export function decimalFromHundredths(value: bigint): string {
  const negative = value < 0n;
  const digits = (negative ? -value : value).toString().padStart(3, "0");
  return `${negative ? "-" : ""}${digits.slice(0, -2)}.${digits.slice(-2)}`;
}
