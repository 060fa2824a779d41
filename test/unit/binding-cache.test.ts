import { execFile } from "node:child_process";
import { appendFile, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { beforeEach, describe, expect, it } from "vitest";

const run = promisify(execFile);

/**
 * scripts/install-deps.sh's cache functions, sourced (main does not run), against a fake built
 * binding in `built` and a fake cache entry in `cache`.
 */
async function deps(root: string, commands: string) {
  const script = `source scripts/install-deps.sh
    root=$1; CKJS_DIR=$root/built; binding_cache_dir() { echo "$root/cache"; }
    ${commands}`;
  return run("bash", ["-c", script, "deps", root]).then(
    ({ stdout, stderr }) => ({ code: 0, output: stdout + stderr }),
    (err: { code: number; stdout: string; stderr: string }) => ({
      code: err.code,
      output: err.stdout + err.stderr,
    }),
  );
}

describe("the cached Kafka binding is verified by hash (scripts/install-deps.sh)", () => {
  let root = "";
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "binding-"));
    await mkdir(join(root, "built/build/Release"), { recursive: true });
    await mkdir(join(root, "built/build/deps"), { recursive: true });
    await writeFile(join(root, "built/build/Release/binding.node"), "native code");
    await writeFile(join(root, "built/build/deps/librdkafka.so.1"), "library");
    const saved = await deps(root, "save_binding_to_cache");
    expect(saved).toMatchObject({ code: 0 });
    expect(saved.output).toContain("SHA-256 recorded");
    await rm(join(root, "built/build"), { recursive: true });
  });

  it("records the sums when caching and restores a cache that matches them", async () => {
    expect(await readFile(join(root, "cache/SHA256SUMS"), "utf8")).toMatch(
      /^[0-9a-f]{64} {2}Release\/binding\.node\n[0-9a-f]{64} {2}deps\/librdkafka\.so\.1\n$/,
    );
    const restored = await deps(root, "restore_binding_from_cache");
    expect(restored).toMatchObject({ code: 0 });
    expect(restored.output).toContain("SHA-256 verified");
    expect(await readFile(join(root, "built/build/Release/binding.node"), "utf8")).toBe("native code");
  });

  it.each([
    [
      "a changed binary",
      (r: string) => appendFile(join(r, "cache/Release/binding.node"), "!"),
      "does not match",
    ],
    ["an extra library", (r: string) => writeFile(join(r, "cache/deps/libevil.so"), "x"), "does not match"],
    ["a cache without a record", (r: string) => rm(join(r, "cache/SHA256SUMS")), "no recorded SHA-256"],
  ])("refuses %s and restores nothing", async (_name, tamper, message) => {
    await tamper(root);
    const restored = await deps(root, "restore_binding_from_cache");
    expect(restored.code).toBe(1);
    expect(restored.output).toContain(message);
    await expect(readFile(join(root, "built/build/Release/binding.node"))).rejects.toThrow();
  });
});

const occurrences = (text: string, part: string) => text.split(part).length - 1;

describe("the bundled librdkafka is patched before it is built (deploy/librdkafka)", () => {
  const source = "node_modules/@confluentinc/kafka-javascript/deps/librdkafka/src/rdkafka_request.c";
  const unguarded =
    "if (actions & RD_KAFKA_ERR_ACTION_REFRESH) {\n                /* Re-query for coordinator */";
  let root = "";
  beforeEach(async () => {
    root = await mkdtemp(join(tmpdir(), "librdkafka-"));
    await mkdir(join(root, "built/deps/librdkafka/src"), { recursive: true });
    // The OffsetFetch handler as the package ships it: node_modules holds it patched once a build
    // applied the patch, so take that back out with the patch itself.
    const copy = join(root, "built/deps/librdkafka/src/rdkafka_request.c");
    await writeFile(copy, await readFile(source, "utf8"));
    const patchFile = "deploy/librdkafka/offsetfetch-admin-null-cgrp.patch";
    await run("bash", [
      "-c",
      `patch -R -s -f -p1 -d "$1" <"$2" >/dev/null 2>&1 || true`,
      "x",
      join(root, "built/deps/librdkafka"),
      patchFile,
    ]);
    const pristine = await readFile(copy, "utf8");
    expect(occurrences(pristine, unguarded)).toBe(2); // OffsetFetch's, and LeaveGroup's (a consumer's own)
  });

  it("guards the admin client's coordinator refresh, once, however often the install runs", async () => {
    const first = await deps(root, "apply_librdkafka_patches");
    expect(first).toMatchObject({ code: 0 });
    expect(first.output).toContain("applied offsetfetch-admin-null-cgrp.patch");
    const again = await deps(root, "apply_librdkafka_patches");
    expect(again.output).toContain("already applied");
    const code = await readFile(join(root, "built/deps/librdkafka/src/rdkafka_request.c"), "utf8");
    expect(occurrences(code, unguarded)).toBe(1);
    expect(code.match(/&& rkb->rkb_rk->rk_cgrp\) \{/g)).toHaveLength(1);
  });

  it("stops the install when a patch no longer applies", async () => {
    await writeFile(
      join(root, "built/deps/librdkafka/src/rdkafka_request.c"),
      "int main(void) { return 0; }\n",
    );
    const result = await deps(root, "apply_librdkafka_patches");
    expect(result.code).not.toBe(0);
    expect(result.output).toContain("does not apply");
  });

  it("does not count a binding built without the current patches as installed", async () => {
    const result = await deps(
      root,
      `mkdir -p "$CKJS_DIR/build"; binding_works() { true; }
       binding_current && echo current || echo stale
       patches_hash >"$(patch_marker)"; binding_current && echo current || echo stale`,
    );
    expect(result.output.trim().split("\n")).toEqual(["stale", "current"]);
  });
});
