import { writeFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { renderProtocolDocs } from "../render-protocol-docs.js";

const target = fileURLToPath(new URL("../../../../docs/protocol.md", import.meta.url));
writeFileSync(target, renderProtocolDocs());
console.log(`wrote ${target}`);
