import { z } from "zod";

/**
 * What docs/configuration.md says about one environment variable (`npm run config:docs` renders it
 * from these, next to the type and default read off the zod schema).
 */
export interface SettingDoc {
  description: string;
  /** What production demands beyond the type: "required", "must be https", … */
  production?: string;
  /** A credential: never logged; its development default is a DEV DEFAULT (core/infra/dev-defaults.ts). */
  secret?: true;
  /** Overrides the type read off the schema (a comma-separated list, for instance). */
  type?: string;
}

/** Attaches the documentation to a setting's schema; every key of the config carries one. */
export const setting = <T extends z.ZodType>(schema: T, doc: SettingDoc): T => schema.meta({ ...doc });

/** The documentation attached by `setting`, or undefined. */
export const settingDoc = (schema: z.core.$ZodType): SettingDoc | undefined =>
  z.globalRegistry.get(schema) as SettingDoc | undefined;

/** One table of docs/configuration.md: a group of related settings. */
export interface ConfigSection<S extends z.ZodRawShape = z.ZodRawShape> {
  title: string;
  intro?: string;
  shape: S;
}

export const section = <S extends z.ZodRawShape>(s: ConfigSection<S>): ConfigSection<S> => s;

export const positiveInt = z.coerce.number().int().positive();
export const nonNegativeInt = z.coerce.number().int().min(0);

/** `true` or `false`, as text. */
export const flag = (defaultValue: "true" | "false") =>
  z
    .enum(["true", "false"])
    .default(defaultValue)
    .transform((v) => v === "true");

export const secret = z.string().min(1).optional();

/** A comma-separated list, for secrets that rotate: several are active at once. */
export const secretList = z
  .string()
  .optional()
  .transform((v) =>
    (v ?? "")
      .split(",")
      .map((s) => s.trim())
      .filter((s) => s !== ""),
  );
