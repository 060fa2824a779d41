import { existsSync, readdirSync, readFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import avro from "avsc";

/** Repository root, avro/ (the current contracts) and avro/history/ (every released revision). */
export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), "..", "..");
export const AVRO_DIR = join(REPO_ROOT, "avro");
export const HISTORY_DIR = join(AVRO_DIR, "history");

export type AvroSchema = Record<string, unknown> & { name: string; fields: AvroField[] };
export interface AvroField {
  name: string;
  type: unknown;
  default?: unknown;
  [key: string]: unknown;
}

export interface SchemaFile {
  path: string;
  text: string;
  schema: AvroSchema;
}

export interface SchemaRevision extends SchemaFile {
  /** 1-based; revision N is registered as version N of a throwaway subject. */
  version: number;
}

export interface SchemaHistory {
  /** File name in avro/, e.g. payment-authorized.v1.avsc. */
  file: string;
  /** File name without .avsc, also the folder under avro/history/. */
  stem: string;
  /** avro/<file>, the schema the service uses now. */
  current: SchemaFile;
  /** avro/history/<stem>/v1.avsc, v2.avsc, … in order; the last one must equal `current`. */
  revisions: SchemaRevision[];
}

/** The .avsc files directly in avro/: the contracts in force. */
export function currentSchemaFiles(): string[] {
  return readdirSync(AVRO_DIR)
    .filter((f) => f.endsWith(".avsc"))
    .sort();
}

function readSchemaFile(path: string): SchemaFile {
  const text = readFileSync(path, "utf8");
  return { path, text, schema: JSON.parse(text) as AvroSchema };
}

/** Folders under avro/history/, one per contract (current or retired). */
export function historyStems(): string[] {
  if (!existsSync(HISTORY_DIR)) return [];
  return readdirSync(HISTORY_DIR, { withFileTypes: true })
    .filter((d) => d.isDirectory())
    .map((d) => d.name)
    .sort();
}

/**
 * Loads avro/<file> and its history. Revision files must be named v1.avsc … vN.avsc with no gap;
 * anything else in the folder is an error, so a misnamed snapshot can never be silently skipped.
 */
export function loadSchemaHistory(file: string): SchemaHistory {
  const stem = file.replace(/\.avsc$/, "");
  const dir = join(HISTORY_DIR, stem);
  const names = existsSync(dir) ? readdirSync(dir).sort() : [];
  const versions = names.map((n) => {
    const m = /^v([1-9][0-9]*)\.avsc$/.exec(n);
    if (!m?.[1]) throw new Error(`${join("avro/history", stem, n)}: history files must be named v<N>.avsc`);
    return Number(m[1]);
  });
  versions.sort((a, b) => a - b);
  versions.forEach((v, i) => {
    if (v !== i + 1)
      throw new Error(`avro/history/${stem}: revisions must be v1..vN without gaps, got ${versions}`);
  });
  return {
    file,
    stem,
    current: readSchemaFile(join(AVRO_DIR, file)),
    revisions: versions.map((version) => ({ version, ...readSchemaFile(join(dir, `v${version}.avsc`)) })),
  };
}

export function loadSchemaHistories(): SchemaHistory[] {
  return currentSchemaFiles().map(loadSchemaHistory);
}

export const avroType = (schema: unknown): avro.Type =>
  avro.Type.forSchema(schema as Parameters<typeof avro.Type.forSchema>[0]);

/**
 * Can a reader using `reader` decode data written with `writer`? That is the BACKWARD question when
 * reader is the new schema, FORWARD when it is the old one. Returns the resolver error, or null.
 * Beyond avsc's structural check, a few random writer values are actually decoded with the reader.
 */
export function readIncompatibility(reader: unknown, writer: unknown): string | null {
  const readerType = avroType(reader);
  const writerType = avroType(writer);
  let resolver: ReturnType<avro.Type["createResolver"]>;
  try {
    resolver = readerType.createResolver(writerType);
  } catch (err) {
    return (err as Error).message;
  }
  for (let i = 0; i < 20; i++) {
    const value: unknown = writerType.random();
    try {
      readerType.fromBuffer(writerType.toBuffer(value), resolver);
    } catch (err) {
      return `decoding a ${writerType.name ?? writerType.typeName} value failed: ${(err as Error).message}`;
    }
  }
  return null;
}

/** A deep copy of an Avro schema, so a test can derive a modified version from the current one. */
export const cloneSchema = <T>(schema: T): T => structuredClone(schema);

/** `schema` with `field` appended to its top-level record. */
export function withAddedField(schema: AvroSchema, field: AvroField): AvroSchema {
  const copy = cloneSchema(schema);
  copy.fields.push(field);
  return copy;
}

/** `schema` with the top-level field `name` changed by `change`. */
export function withChangedField(
  schema: AvroSchema,
  name: string,
  change: (f: AvroField) => AvroField,
): AvroSchema {
  const copy = cloneSchema(schema);
  const i = copy.fields.findIndex((f) => f.name === name);
  const field = copy.fields[i];
  if (!field) throw new Error(`${schema.name} has no field ${name}`);
  copy.fields[i] = change(field);
  return copy;
}

/** `schema` without the top-level field `name`. */
export function withoutField(schema: AvroSchema, name: string): AvroSchema {
  const copy = cloneSchema(schema);
  const before = copy.fields.length;
  copy.fields = copy.fields.filter((f) => f.name !== name);
  if (copy.fields.length === before) throw new Error(`${schema.name} has no field ${name}`);
  return copy;
}
