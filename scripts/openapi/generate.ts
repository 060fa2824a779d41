// `npm run openapi:generate`: writes http-ingress/openapi.json from the zod schemas
// (http-ingress/openapi/document.ts). test/unit/openapi-document.test.ts fails when the committed file
// differs from what this writes.
import { writeFileSync } from "node:fs";
import { renderOpenApiDocument } from "../../http-ingress/openapi/document.ts";

const target = new URL("../../http-ingress/openapi.json", import.meta.url);
writeFileSync(target, renderOpenApiDocument());
console.log(`wrote ${target.pathname}`);
