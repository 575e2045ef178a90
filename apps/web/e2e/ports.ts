/** Fixed so the Playwright config, the stacks and the tests agree; override when they are taken. */
export type StackName = "fake" | "local" | "missing" | "download" | "docs";

const base = Number(process.env.ALMA_E2E_BASE_PORT ?? 3107);

export const STACKS: Record<StackName, { webPort: number; controlPort: number }> = {
  // the real server over a fake OpenAI-compatible upstream
  fake: { webPort: base, controlPort: base + 1 },
  // the real server over the embedded local model (node-llama-cpp, a tiny GGUF)
  local: { webPort: base + 2, controlPort: base + 3 },
  // the real server whose local model file does not exist: the setup screen
  missing: { webPort: base + 4, controlPort: base + 5 },
  // the real server downloading its local model from a stack-held HTTP server the tests release
  download: { webPort: base + 6, controlPort: base + 7 },
  // the README's screenshot (`pnpm --filter @alma/web screenshot`): the fake upstream as a real-looking model, fresh
  docs: { webPort: base + 8, controlPort: base + 9 },
};

export const webUrl = (stack: StackName) => `http://127.0.0.1:${STACKS[stack].webPort}`;
export const controlUrl = (stack: StackName) => `http://127.0.0.1:${STACKS[stack].controlPort}`;
