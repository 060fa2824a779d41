import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { buildOpenApiDocument, renderOpenApiDocument } from "../../http-ingress/openapi/document.ts";
import { createPaymentSchema } from "../../http-ingress/payments/schema.ts";
import { errorBodySchema } from "../../http-ingress/presentation/error-response.ts";
import { paymentResponseSchema } from "../../http-ingress/presentation/resource-schema.ts";
import { REPO_ROOT } from "../helpers/avro-contracts.ts";

type Json = Record<string, any>;

const COMMITTED = join(REPO_ROOT, "http-ingress", "openapi.json");

describe("http-ingress/openapi.json, generated from the zod schemas", () => {
  it("is exactly what `npm run openapi:generate` writes now", () => {
    const committed = readFileSync(COMMITTED, "utf8");
    expect(
      committed === renderOpenApiDocument(),
      "http-ingress/openapi.json is stale: run `npm run openapi:generate` and commit the result",
    ).toBe(true);
  });

  it("has examples the schemas they illustrate accept", () => {
    const schemas = (buildOpenApiDocument().components as Json).schemas as Json;
    expect(paymentResponseSchema.parse(schemas.PaymentResponse.example)).toEqual(
      schemas.PaymentResponse.example,
    );
    expect(errorBodySchema.parse(schemas.Error.example)).toEqual(schemas.Error.example);
    expect(createPaymentSchema.safeParse(schemas.CreatePaymentRequest.example).success).toBe(true);
  });

  it("never renders a nullable reference as an allOf, which would forbid null", () => {
    expect(renderOpenApiDocument()).not.toContain('"allOf"');
  });

  it("resolves every $ref it holds", () => {
    const doc = buildOpenApiDocument() as Json;
    const refs = [...renderOpenApiDocument().matchAll(/"\$ref": "#\/([^"]+)"/g)].map((m) => m[1] as string);
    expect(refs.length).toBeGreaterThan(0);
    for (const ref of new Set(refs)) {
      const target = ref.split("/").reduce<Json | undefined>((node, part) => node?.[part], doc);
      expect(target, `#/${ref}`).toBeDefined();
    }
  });
});
