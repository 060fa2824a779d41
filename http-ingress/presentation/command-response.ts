import type { CommandResult } from "../../core/domain/command-result.ts";
import { errorBody, httpStatusOf } from "./error-response.ts";
import { toPaymentResponse, toRefundResponse } from "./resource-dto.ts";

export interface HttpAnswer {
  status: number;
  body: unknown;
}

const DISPOSITION_STATUS = { created: 201, settled: 200, pending: 202 } as const;

/** The HTTP answer for a processor's result: the one place results meet status codes. */
export function presentResult(result: CommandResult): HttpAnswer {
  switch (result.kind) {
    case "payment":
      return { status: DISPOSITION_STATUS[result.disposition], body: toPaymentResponse(result.payment) };
    case "refund":
      return { status: DISPOSITION_STATUS[result.disposition], body: toRefundResponse(result.refund) };
    case "rejected":
      return { status: httpStatusOf(result.error), body: errorBody(result.error) };
    case "legacy":
      return { status: result.httpStatus, body: result.body };
  }
}
