import { findRun, listExceptions, listRuns } from "../../../../db/repositories/recon-repo.ts";
import { UUID } from "../../operator-resolve.ts";
import { type PageRoutes, render } from "../context.ts";
import { href, html } from "../html.ts";
import { freeText, paymentLink, table, when } from "../layout.ts";

const RUNS_SHOWN = 100;
const EXCEPTIONS_SHOWN = 1000;

export const reconRoutes: PageRoutes = (router, t, op) => {
  router.get("/recon", op, async (kctx) => {
    const runs = await listRuns(t.ctx.pool, { limit: RUNS_SHOWN });
    const rows = runs.map(
      (
        r,
      ) => html`<tr><td><a href="${href(`/console/recon/${encodeURIComponent(r.runId)}`)}">${r.runDate}</a></td>
<td>${r.psp}</td><td>${r.status}</td><td class="num">${r.matched}</td>
<td class="num${r.exceptions > 0 ? " bad" : ""}">${r.exceptions}</td><td class="at">${when(r.finishedAt)}</td></tr>`,
    );
    render(
      kctx,
      { title: "Reconciliation runs" },
      table(
        ["Day", "PSP", "Status", "Matched", "Exceptions", "Finished"],
        rows,
        "No reconciliation has run yet.",
      ),
    );
  });

  router.get("/recon/:id", op, async (kctx) => {
    const runId = kctx.params.id ?? "";
    const run = UUID.test(runId) ? await findRun(t.ctx.pool, runId) : null;
    if (!run) return render(kctx, { title: "Run not found" }, html`<p>No such reconciliation run.</p>`, 404);
    const exceptions = await listExceptions(t.ctx.pool, run.runId, EXCEPTIONS_SHOWN);
    const counts = Object.entries(run.counts)
      .map(([k, v]) => `${k}: ${v}`)
      .join(" · ");
    const rows = exceptions.map(
      (e) => html`<tr><td>${e.class}</td><td class="mono">${e.pspReference}</td>
<td>${e.paymentId ? paymentLink(e.paymentId) : null}</td><td>${e.recordType}</td><td>${e.currency}</td>
<td class="num">${e.ledgerAmount}</td><td class="num">${e.pspGross}</td><td class="num">${e.pspFee}</td><td>${freeText(e.detail)}</td></tr>`,
    );
    const body = html`<p>${run.psp} · ${run.status} · matched ${run.matched} · exceptions ${run.exceptions}</p>
<p class="hint">${counts} · report: <span class="mono">${run.outputUri}</span></p>
${table(["Class", "PSP reference", "Payment", "Record", "Currency", "Ledger", "PSP gross", "PSP fee", "Detail"], rows, "No exception: every line matched.")}
<p><a href="/console/recon">All runs</a></p>`;
    render(kctx, { title: `Reconciliation of ${run.runDate}` }, body);
  });
};
