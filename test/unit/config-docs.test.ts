import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig } from "../../core/infra/config.ts";
import { CONFIG_SECTIONS, configShape } from "../../core/infra/config-schema/sections.ts";
import { settingDoc } from "../../core/infra/config-schema/setting.ts";
import { READ_ELSEWHERE, renderConfigDocs } from "../../scripts/config/render-docs.ts";
import { REPO_ROOT } from "../helpers/avro-contracts.ts";
import { productionEnv } from "../helpers/production-env.ts";

const SERVICE_DIRS = ["core", "processors", "http-ingress", "db"];
const ENV_READ = /\b(?:process\.)?env(?:\.|\[["'])([A-Z][A-Z0-9_]+)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return sourceFiles(path);
    return path.endsWith(".ts") ? [path] : [];
  });
}

/** Every `env.NAME` / `process.env.NAME` the service's code reads, with the files that read it. */
function envReads(): Map<string, string[]> {
  const reads = new Map<string, string[]>();
  for (const file of SERVICE_DIRS.flatMap((d) => sourceFiles(join(REPO_ROOT, d)))) {
    for (const [, name] of readFileSync(file, "utf8").matchAll(ENV_READ)) {
      reads.set(name as string, [...(reads.get(name as string) ?? []), relative(REPO_ROOT, file)]);
    }
  }
  return reads;
}

const refusal = (env: NodeJS.ProcessEnv): string => {
  try {
    loadConfig(env);
  } catch (err) {
    return (err as Error).message;
  }
  return "";
};

describe("docs/configuration.md, generated from the config schema", () => {
  it("is exactly what `npm run config:docs` writes now", () => {
    const committed = readFileSync(join(REPO_ROOT, "docs", "configuration.md"), "utf8");
    expect(
      committed === renderConfigDocs(),
      "docs/configuration.md is stale: run `npm run config:docs` and commit the result",
    ).toBe(true);
  });

  it("describes every setting, in exactly one group", () => {
    const grouped = CONFIG_SECTIONS.flatMap((s) => Object.keys(s.shape));
    expect(grouped.sort()).toEqual(Object.keys(configShape).sort());
    for (const [name, schema] of Object.entries(configShape)) {
      expect(settingDoc(schema)?.description, name).toBeTruthy();
    }
  });

  it("names every environment variable the service reads, and only those it reads elsewhere", () => {
    const documented = new Set([...Object.keys(configShape), ...READ_ELSEWHERE.flatMap((r) => r.names)]);
    const undocumented = [...envReads()].filter(([name]) => !documented.has(name));
    expect(undocumented, "read from the environment but not in docs/configuration.md").toEqual([]);
    for (const { module, names } of READ_ELSEWHERE) {
      const source = readFileSync(join(REPO_ROOT, module), "utf8");
      for (const name of names) expect(source, `${module} no longer reads ${name}`).toContain(`env.${name}`);
    }
  });

  it("holds production to what it says: required settings and https URLs are enforced", () => {
    expect(refusal(productionEnv())).toBe("");
    for (const [name, schema] of Object.entries(configShape)) {
      const production = settingDoc(schema)?.production ?? "";
      if (production.startsWith("required")) {
        expect(productionEnv(), `the production fixture lacks ${name}`).toHaveProperty(name);
        expect(refusal(productionEnv({ [name]: undefined })), name).toContain(name);
      }
      const url = productionEnv()[name];
      if (production === "must be https" && url?.startsWith("https:")) {
        expect(refusal(productionEnv({ [name]: url.replace("https:", "http:") })), name).toContain(name);
      }
    }
  });
});
