import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { existsSync } from "node:fs";
import { appendFile, mkdir, mkdtemp, readFile, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";

const run = promisify(execFile);
const PINS = "deploy/checksums/maven.sha256";

/** Runs verify_pinned from scripts/stack/lib.sh (as up.sh does) against a pin file of our own. */
async function verify(pins: string, label: string, dir: string) {
  const script = `source scripts/stack/lib.sh && verify_pinned "$1" "$2"`;
  return run("bash", ["-c", script, "verify", label, dir], {
    env: { ...process.env, MAVEN_CHECKSUMS: pins },
  }).then(
    ({ stdout }) => ({ code: 0, output: stdout }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      output: err.stdout + err.stderr,
    }),
  );
}

const sha256 = {
  a: createHash("sha256").update("a").digest("hex"),
  b: createHash("sha256").update("b").digest("hex"),
};

describe("pinned Maven checksums (scripts/stack/checksums.sh)", () => {
  let root = "";
  let pins = "";
  let dir = "";
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "pins-"));
    dir = join(root, "download");
    await mkdir(dir);
    await writeFile(join(dir, "a.jar"), "a");
    await writeFile(join(dir, "b.jar"), "b");
    pins = join(root, "maven.sha256");
    await writeFile(
      pins,
      `# comment\n${sha256.a}  lib-1.0/a.jar\n${sha256.b}  lib-1.0/b.jar\n${sha256.a}  other/a.jar\n`,
    );
  });

  it("accepts a download whose files are exactly the pinned ones", async () => {
    const result = await verify(pins, "lib-1.0", dir);
    expect(result).toMatchObject({ code: 0 });
    expect(result.output).toContain("lib-1.0 matches its 2 pinned SHA-256 sums");
  });

  it.each([
    ["a changed file", () => appendFile(join(dir, "a.jar"), "x")],
    ["an unpinned extra file", () => writeFile(join(dir, "evil.jar"), "x")],
    [
      "a missing file",
      () =>
        writeFile(
          pins,
          `${sha256.a}  lib-1.0/a.jar\n${sha256.b}  lib-1.0/b.jar\n${sha256.a}  lib-1.0/c.jar\n`,
        ),
    ],
  ])("refuses %s loudly and deletes the download", async (_name, tamper) => {
    await tamper();
    const result = await verify(pins, "lib-1.0", dir);
    expect(result.code).toBe(1);
    expect(result.output).toContain("ERROR: checksums: refusing to install lib-1.0");
    expect(existsSync(dir)).toBe(false);
  });

  it("refuses a version nothing is pinned for", async () => {
    const result = await verify(pins, "lib-2.0", dir);
    expect(result.code).toBe(1);
    expect(result.output).toContain("nothing pinned for lib-2.0");
  });

  it("pins every artifact directory of the default versions", async () => {
    const text = await readFile(PINS, "utf8");
    const { stdout } = await run("bash", [
      "-c",
      'source scripts/stack/lib.sh && echo "$KAFKA_VERSION $APICURIO_VERSION $DEBEZIUM_VERSION"',
    ]);
    const [kafka, apicurio, debezium] = stdout.trim().split(" ");
    for (const label of [
      `kafka-${kafka}/libs/`,
      `kafka-connect-${kafka}/libs/`,
      `apicurio-registry-${apicurio}/apicurio-registry-app-${apicurio}-all.tar.gz`,
      `debezium-${debezium}/plugins/debezium-connector-postgres/`,
    ])
      expect(text).toContain(`  ${label}`);
  });
});
