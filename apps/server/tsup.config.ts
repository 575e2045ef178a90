import { readFileSync } from "node:fs";
import { builtinModules } from "node:module";
import { defineConfig } from "tsup";

/**
 * The production build of the server: `src/main.ts` and the workspace packages it uses (@alma/*, which export
 * their TypeScript source) bundled into `dist/`, so production runs plain JavaScript on node (no tsx). Every npm
 * package stays external and is loaded from node_modules as usual: native ones (better-sqlite3, node-llama-cpp),
 * pino and its transports, fastify, the OpenTelemetry SDK (a chunk of its own, loaded only when export is on).
 * Each must be a dependency of @alma/server, so node finds it from dist/; the build fails naming any that is not.
 */
const pkg = JSON.parse(readFileSync(new URL("./package.json", import.meta.url), "utf8")) as { dependencies: Record<string, string> };
const dependencies = new Set(Object.keys(pkg.dependencies).filter((name) => !name.startsWith("@alma/")));
const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);

/** "openai/resources/x" → "openai", "@scope/pkg/sub" → "@scope/pkg" */
const packageOf = (specifier: string) =>
  specifier
    .split("/")
    .slice(0, specifier.startsWith("@") ? 2 : 1)
    .join("/");

export default defineConfig({
  entry: { main: "src/main.ts" },
  outDir: "dist",
  format: ["esm"],
  platform: "node",
  target: "node20",
  splitting: true,
  sourcemap: true,
  clean: true,
  dts: false,
  // the workspace packages are compiled in; what they import from npm is checked below
  noExternal: [/^@alma\//],
  esbuildPlugins: [
    {
      name: "alma-server-dependencies",
      setup(build) {
        build.onResolve({ filter: /^[^./]/ }, (args) => {
          if (builtins.has(args.path)) return { external: true };
          const name = packageOf(args.path);
          if (name.startsWith("@alma/")) return undefined;
          if (dependencies.has(name)) return { external: true };
          return {
            errors: [
              {
                text: `${args.path} (imported by ${args.importer}) is not a dependency of @alma/server: add "${name}": "catalog:" to apps/server/package.json so the built server can load it`,
              },
            ],
          };
        });
      },
    },
  ],
});
