type Json = unknown;

const isObject = (v: Json): v is Record<string, Json> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * zod-to-openapi 9 renders a nullable field whose schema is a named component (`pspSchema.nullish()`)
 * as `allOf: [{$ref}, {type: [T, "null"]}]`, which forbids null (allOf needs both). OpenAPI 3.1 says
 * `oneOf: [{$ref}, {type: "null"}]`; this rewrites every such allOf so, keeping the field's own
 * keywords (its description) beside the oneOf.
 */
export function repairNullableRefs(node: Json): Json {
  if (Array.isArray(node)) return node.map(repairNullableRefs);
  if (!isObject(node)) return node;
  const repaired = Object.fromEntries(Object.entries(node).map(([k, v]) => [k, repairNullableRefs(v)]));
  const allOf = repaired.allOf;
  if (!Array.isArray(allOf) || allOf.length !== 2) return repaired;
  const [target, overlay] = allOf;
  if (!isObject(target) || typeof target.$ref !== "string" || !isObject(overlay)) return repaired;
  const types = overlay.type;
  if (!Array.isArray(types) || !types.includes("null")) return repaired;
  const { allOf: _, ...siblings } = repaired;
  const { type: _type, enum: _enum, ...keywords } = overlay;
  return { oneOf: [target, { type: "null" }], ...keywords, ...siblings };
}
