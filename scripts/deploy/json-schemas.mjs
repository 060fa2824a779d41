// JSON schemas for kubeconform, made offline (GitHub, where kubeconform fetches them from, is not
// reachable here), in the file layout kubeconform's -schema-location template
// `{{ .ResourceKind }}{{ .KindSuffix }}.json` expects: deployment-apps-v1.json, service-v1.json,
// kafkatopic-kafka-v1beta2.json.
//
//   node scripts/deploy/json-schemas.mjs swagger <swagger.json> <out-dir>   every kind of a Kubernetes OpenAPI v2 spec
//   node scripts/deploy/json-schemas.mjs crd <out-dir> <crd.yaml>...        every version of CustomResourceDefinitions
//
// The schemas are standalone (every $ref inlined) and strict (an object with `properties` refuses any
// other key, as kubectl's validation does), after kubeconform's own openapi2jsonschema.py.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseAllDocuments } from "yaml";

/** kubeconform's KindSuffix: "-v1" for the core group, "-apps-v1", "-kafka-v1beta2" (first label of the group). */
export function schemaFileName(kind, group, version) {
  const groupPart = group ? `-${group.split(".")[0].toLowerCase()}` : "";
  return `${kind.toLowerCase()}${groupPart}-${version.toLowerCase()}.json`;
}

/** Strict objects and int-or-string as a oneOf, recursively, on a copy. */
export function strictSchema(node) {
  if (Array.isArray(node)) return node.map(strictSchema);
  if (node === null || typeof node !== "object") return node;
  if (node.format === "int-or-string" || node["x-kubernetes-int-or-string"] === true) {
    const { format, type, "x-kubernetes-int-or-string": _, ...rest } = node;
    return { ...strictSchema(rest), oneOf: [{ type: "string" }, { type: "integer" }] };
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) out[key] = strictSchema(value);
  if (
    out.properties &&
    out.additionalProperties === undefined &&
    !out["x-kubernetes-preserve-unknown-fields"]
  )
    out.additionalProperties = false;
  return out;
}

/** Inlines `#/definitions/…` references; a reference back into itself (JSONSchemaProps) becomes {}. */
function inline(node, definitions, seen = new Set()) {
  if (Array.isArray(node)) return node.map((n) => inline(n, definitions, seen));
  if (node === null || typeof node !== "object") return node;
  if (typeof node.$ref === "string") {
    const name = node.$ref.replace("#/definitions/", "");
    if (seen.has(name)) return {};
    const { $ref, ...siblings } = node;
    return { ...inline(definitions[name] ?? {}, definitions, new Set([...seen, name])), ...siblings };
  }
  const out = {};
  for (const [key, value] of Object.entries(node)) out[key] = inline(value, definitions, seen);
  return out;
}

/** Indented: the vendored ones are read in review. */
function write(dir, name, schema) {
  const text = JSON.stringify({ $schema: "http://json-schema.org/schema#", ...schema }, null, 1);
  writeFileSync(join(dir, name), `${text}\n`);
}

function fromSwagger(specPath, dir) {
  const { definitions } = JSON.parse(readFileSync(specPath, "utf8"));
  let count = 0;
  for (const [name, definition] of Object.entries(definitions)) {
    for (const gvk of definition["x-kubernetes-group-version-kind"] ?? []) {
      // List kinds, and the same kind served under a deprecated name, are not resources we validate.
      if (gvk.kind.endsWith("List")) continue;
      const schema = strictSchema(inline(definition, definitions, new Set([name])));
      write(dir, schemaFileName(gvk.kind, gvk.group, gvk.version), schema);
      count++;
    }
  }
  return count;
}

function fromCrds(dir, files) {
  let count = 0;
  for (const file of files) {
    for (const doc of parseAllDocuments(readFileSync(file, "utf8"))) {
      const crd = doc.toJS();
      if (crd?.kind !== "CustomResourceDefinition") continue;
      for (const version of crd.spec.versions) {
        const schema = version.schema?.openAPIV3Schema;
        if (!schema) continue;
        write(dir, schemaFileName(crd.spec.names.kind, crd.spec.group, version.name), strictSchema(schema));
        count++;
      }
    }
  }
  return count;
}

const [mode, ...args] = process.argv.slice(2);
if (mode === "swagger" && args.length === 2) {
  mkdirSync(args[1], { recursive: true });
  console.log(`${fromSwagger(args[0], args[1])} schemas written to ${args[1]}`);
} else if (mode === "crd" && args.length >= 2) {
  mkdirSync(args[0], { recursive: true });
  console.log(`${fromCrds(args[0], args.slice(1))} schemas written to ${args[0]}`);
} else {
  console.error("usage: json-schemas.mjs swagger <swagger.json> <out-dir> | crd <out-dir> <crd.yaml>...");
  process.exit(2);
}
