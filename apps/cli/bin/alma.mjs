#!/usr/bin/env node
// The `alma` command: runs the CLI's TypeScript entry in this process through tsx (no build step, no child
// process, so Ctrl-C, exit codes and stdout behave as the CLI's own). Nothing is printed here: stdout carries
// only what the CLI means to print.
import { fileURLToPath } from "node:url";
import { register } from "tsx/esm/api";

register({ tsconfig: fileURLToPath(new URL("../tsconfig.json", import.meta.url)) });
await import("../src/main.ts");
