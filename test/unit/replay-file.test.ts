import { execFile } from "node:child_process";
import { randomUUID } from "node:crypto";
import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import type { PaymentCommand } from "../../core/domain/commands.ts";
import { readCommandFile, STRIPPED_TOKEN, toJsonLines } from "../../scripts/replay/command-sources.ts";
import { newCreateCommand } from "../helpers/factories.ts";

const run = promisify(execFile);

describe("replay tool", () => {
  it("strips customers' tokens when it saves, keeping the simulators' public test tokens", async () => {
    const customer = `pm_card_visa_${randomUUID().replaceAll("-", "")}`;
    const confirm: PaymentCommand = {
      ...newCreateCommand("x"),
      type: "confirm",
      body: { payment_method: { type: "card", token: "tok_1NG8Du2eZvKYlo2C" } },
    };
    const text = toJsonLines([
      newCreateCommand(customer),
      newCreateCommand("pm_card_chargeDeclined"),
      confirm,
    ]);
    expect(text).not.toContain(customer);
    expect(text).not.toContain("tok_1NG8Du2eZvKYlo2C");
    const file = join(await mkdtemp(join(tmpdir(), "replay-")), "saved.jsonl");
    await writeFile(file, text);
    const tokens = (await readCommandFile(file)).map((c) =>
      c.type === "create" || c.type === "confirm" ? c.body.payment_method?.token : undefined,
    );
    expect(tokens).toEqual([STRIPPED_TOKEN, "pm_card_chargeDeclined", STRIPPED_TOKEN]);
  });

  it("refuses to run with NODE_ENV=production, before it connects to anything", async () => {
    const outcome = await run(
      process.execPath,
      ["--import", "tsx", "scripts/replay/main.ts", "--from-file=/nonexistent"],
      { env: { ...process.env, NODE_ENV: "production" }, timeout: 30_000 },
    ).then(
      () => ({ code: 0, stderr: "" }),
      (err: { code: number; stderr: string }) => err,
    );
    expect(outcome.code).toBe(2);
    expect(outcome.stderr).toContain("refuses to run with NODE_ENV=production");
  });
});
