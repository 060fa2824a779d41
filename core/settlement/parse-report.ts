import type { Readable } from "node:stream";
import { CsvError, parse } from "csv-parse";
import { ADYEN_REQUIRED_COLUMNS, adyenLine } from "./adyen-report.ts";
import {
  missingColumns,
  type RawRow,
  type SettlementLine,
  SettlementLineError,
  type SettlementPsp,
} from "./settlement-line.ts";
import { STRIPE_REQUIRED_COLUMNS, stripeLine } from "./stripe-report.ts";

const FORMATS = {
  stripe: { required: STRIPE_REQUIRED_COLUMNS, line: stripeLine },
  adyen: { required: ADYEN_REQUIRED_COLUMNS, line: adyenLine },
} as const;

/**
 * Reads a settlement report as a stream, one line at a time: a header row, then one line per
 * record. Throws SettlementLineError naming the first line that cannot be read.
 */
export async function* parseSettlementReport(
  psp: SettlementPsp,
  input: Readable,
): AsyncGenerator<SettlementLine> {
  const format = FORMATS[psp];
  const parser = input.pipe(
    parse({
      bom: true,
      info: true,
      skip_empty_lines: true,
      columns: (header: string[]) => {
        const missing = missingColumns(header, format.required);
        if (missing.length > 0)
          throw new SettlementLineError(
            1,
            `not a settlement report of ${psp}: missing ${missing.join(", ")}`,
          );
        return header;
      },
    }),
  );
  try {
    for await (const { record, info } of parser as AsyncIterable<{ record: RawRow; info: { lines: number } }>)
      yield format.line(record, info.lines);
  } catch (err) {
    if (err instanceof CsvError) throw new SettlementLineError(csvErrorLine(err), err.message);
    throw err;
  } finally {
    parser.destroy();
  }
}

function csvErrorLine(err: CsvError): number {
  const lines = (err as CsvError & { lines?: number }).lines;
  return typeof lines === "number" ? lines : 0;
}
