import { PspMinorUnits } from "../minor-units.ts";

/**
 * Adyen's exponents where they differ from ISO 4217 (docs.adyen.com/development-resources/
 * currency-codes, marked "differs from standard"): CLP and ISK are two-decimal at Adyen, CVE and
 * IDR zero-decimal. CVE is not a currency we accept; it stays listed so the table reads like the page.
 */
export const adyenMinorUnits = new PspMinorUnits({ CLP: 2, ISK: 2, CVE: 0, IDR: 0 });
