import type { RouteConfig } from "@asteasolutions/zod-to-openapi";
import type { z } from "zod";
import { configDefaults } from "../../core/infra/config.ts";
import type { Scope } from "../../core/security/api-keys.ts";
import { ref, responseHeaders } from "./components.ts";

type Responses = RouteConfig["responses"];

export const REPLY_TIMEOUT_DEFAULT_TEXT = `REPLY_TIMEOUT_MS (default ${configDefaults().REPLY_TIMEOUT_MS / 1000} s)`;

/** How a 202 begins: the reply did not come within the configured wait. */
export const REPLY_TIMEOUT_TEXT = `The outcome was not known within ${REPLY_TIMEOUT_DEFAULT_TEXT}.`;

/** 4xx/5xx answers of every mutating payment operation, in the order the document lists them. */
const COMMAND_ERRORS: Responses = {
  409: ref("responses", "Conflict"),
  400: ref("responses", "BadRequest"),
  404: ref("responses", "NotFound"),
  405: ref("responses", "MethodNotAllowed"),
  413: ref("responses", "PayloadTooLarge"),
  415: ref("responses", "UnsupportedMediaType"),
  422: ref("responses", "Unprocessable"),
  429: ref("responses", "RateLimited"),
  500: ref("responses", "ServerError"),
  503: ref("responses", "Unavailable"),
  401: ref("responses", "Unauthenticated"),
  403: ref("responses", "Forbidden"),
};

/** Security, scope extension and the sentence naming the scope, for an operation behind an API key. */
export function needsScope(scope: Scope, description?: string) {
  const sentence = `Needs an API key with the \`${scope}\` scope.`;
  return {
    description: description ? `${description}\n\n${sentence}` : sentence,
    security: [{ ApiKey: [] }],
    "x-required-scope": scope,
  };
}

/** A JSON answer with its headers. */
export function jsonAnswer(
  description: string,
  schema: z.ZodType,
  headers: Parameters<typeof responseHeaders>[0],
) {
  return { description, headers: responseHeaders(headers), content: { "application/json": { schema } } };
}

export interface CommandOperation {
  method: "post";
  path: string;
  operationId: string;
  summary: string;
  description: string;
  scope: Scope;
  /** Path parameters (component names), before the shared header parameters. */
  pathParameters?: string[];
  body: { schema: z.ZodType; required: boolean };
  /** The finished answer: 201 (create) or 200. */
  done: { status: 200 | 201; description: string };
  /** What the 202 body is when the reply did not come in time. */
  pending: string;
  response: z.ZodType;
  /** Error answers beyond the shared ones (402 for confirm). */
  extraErrors?: Responses;
}

/**
 * A mutation published as a command (docs/api.md): Idempotency-Key, Request-Id and traceparent in,
 * the processor's answer or a 202 to poll out, and the shared error answers.
 */
export function commandRoute(o: CommandOperation): RouteConfig {
  const doneHeaders: Parameters<typeof jsonAnswer>[2] = ["RequestId", "IdempotentReplayed"];
  if (o.done.status === 201) doneHeaders.push("Location");
  return {
    method: o.method,
    path: o.path,
    operationId: o.operationId,
    summary: o.summary,
    ...needsScope(o.scope, o.description),
    tags: ["payments"],
    parameters: [
      ...(o.pathParameters ?? []).map((p) => ref("parameters", p)),
      ref("parameters", "IdempotencyKey"),
      ref("parameters", "RequestIdIn"),
      ref("parameters", "Traceparent"),
    ],
    request: {
      body: {
        required: o.body.required,
        description: "application/json. May be empty where every field is optional.",
        content: { "application/json": { schema: o.body.schema } },
      },
    },
    responses: {
      [o.done.status]: jsonAnswer(o.done.description, o.response, doneHeaders),
      202: jsonAnswer(o.pending, o.response, ["RequestId", "IdempotentReplayed", "Location"]),
      ...o.extraErrors,
      ...COMMAND_ERRORS,
    },
  };
}
