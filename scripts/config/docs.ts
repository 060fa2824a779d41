// `npm run config:docs`: writes docs/configuration.md from the config schema (core/infra/config-schema/).
// test/unit/config-docs.test.ts fails when the committed page differs from what this writes.
import { writeFileSync } from "node:fs";
import { renderConfigDocs } from "./render-docs.ts";

const target = new URL("../../docs/configuration.md", import.meta.url);
writeFileSync(target, renderConfigDocs());
console.log(`wrote ${target.pathname}`);
