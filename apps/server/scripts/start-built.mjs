// `pnpm start:server` (the package's `start`): builds the server when its build is missing or stale, then runs
// the built JavaScript in this same process, so signals and the exit code are the server's own.
import { pathToFileURL } from "node:url";
import { DIST_MAIN, ensureServerBuilt } from "./server-build.mjs";

const status = ensureServerBuilt({ quiet: true });
if (status !== 0) {
  console.error(`\n✗ building the server failed (exit ${status}); the error is above.`);
  process.exit(status);
}
await import(pathToFileURL(DIST_MAIN).href);
