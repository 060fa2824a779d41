// `npm run build`, after tsc: the files the compiled code reads at run time, next to it in dist/ as in
// the source tree (Avro schemas, SQL migrations, the OpenAPI document).
import { cpSync } from "node:fs";

const ASSETS = ["avro", "db/migrations", "http-ingress/openapi.json"];
for (const path of ASSETS) cpSync(path, `dist/${path}`, { recursive: true });
console.log(`copied ${ASSETS.join(", ")} to dist/`);
