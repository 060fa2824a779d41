import { Ajv2020, type ValidateFunction } from "ajv/dist/2020.js";
import formats from "ajv-formats";
import { expect } from "vitest";
import type { ApiResponse } from "./api.ts";

// ajv-formats is CommonJS; under NodeNext its plugin function is the module's .default.
const addFormats = formats.default;

type Json = Record<string, any>;
const DOC_ID = "openapi.json";

/**
 * Validates real responses against the OpenAPI document the service serves: the status must be
 * documented for the operation, and a JSON body must match its schema (JSON Schema 2020-12, as
 * OpenAPI 3.1 prescribes). Records what it checked, so a suite can assert every operation was hit.
 */
export class OpenApiContract {
  readonly checked = new Set<string>();
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly validators = new Map<string, ValidateFunction>();

  private constructor(readonly doc: Json) {
    addFormats(this.ajv);
    this.ajv.addSchema(doc, DOC_ID);
  }

  static async load(baseUrl: string): Promise<OpenApiContract> {
    const res = await fetch(`${baseUrl}/openapi.json`);
    expect(res.status).toBe(200);
    return new OpenApiContract((await res.json()) as Json);
  }

  /** The operations in the document, as "METHOD /template". */
  operations(): string[] {
    return Object.entries(this.doc.paths as Json).flatMap(([path, item]) =>
      Object.keys(item)
        .filter((k) => ["get", "post", "put", "patch", "delete"].includes(k))
        .map((method) => `${method.toUpperCase()} ${path}`),
    );
  }

  assert(method: string, template: string, res: ApiResponse): void {
    const operation = this.doc.paths?.[template]?.[method.toLowerCase()];
    expect(operation, `${method} ${template} is not in the OpenAPI document`).toBeDefined();
    let response = operation.responses[String(res.status)] ?? operation.responses.default;
    expect(response, `${method} ${template} answered ${res.status}, which is not documented`).toBeDefined();
    if (response.$ref) response = this.resolve(response.$ref);
    this.checked.add(`${method.toUpperCase()} ${template}`);
    const schema = response.content?.["application/json"]?.schema;
    if (!schema) return;
    const key = `${method} ${template} ${res.status}`;
    let validate = this.validators.get(key);
    if (!validate) {
      validate = this.ajv.compile(rebase(schema) as Json);
      this.validators.set(key, validate);
    }
    const ok = validate(res.body);
    expect(
      ok,
      `${key} body does not match the contract: ${this.ajv.errorsText(validate.errors)}\n${JSON.stringify(res.body)}`,
    ).toBe(true);
  }

  private resolve(ref: string): Json {
    return ref
      .replace(/^#\//, "")
      .split("/")
      .reduce((node: Json, part) => node[part.replace(/~1/g, "/").replace(/~0/g, "~")], this.doc);
  }
}

/** Points the document's local refs ("#/components/…") at the registered document. */
function rebase(schema: unknown): unknown {
  if (Array.isArray(schema)) return schema.map(rebase);
  if (schema === null || typeof schema !== "object") return schema;
  return Object.fromEntries(
    Object.entries(schema).map(([k, v]) => [
      k,
      k === "$ref" && typeof v === "string" && v.startsWith("#") ? `${DOC_ID}${v}` : rebase(v),
    ]),
  );
}
