import { createRequire } from "node:module";

/** The server package's version, reported in `welcome` and `/health`. */
export const SERVER_VERSION: string = (createRequire(import.meta.url)("../package.json") as { version: string }).version;
