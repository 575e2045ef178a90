import { defineConfig, devices } from "@playwright/test";
import { webUrl } from "./e2e/ports";

// `pnpm test:e2e` runs after `next build` (turbo's dependsOn); ALMA_E2E_DEV=1 uses `next dev` instead.
// ALMA_DOCS_SCREENSHOT=1 (`pnpm --filter @alma/web screenshot`) runs only the README's screenshot, on a stack of its own;
// the test suite never runs it, so `pnpm test` writes screenshots only under test-results/.
const docsScreenshot = process.env.ALMA_DOCS_SCREENSHOT === "1";
const chromium = {
  executablePath: process.env.PLAYWRIGHT_CHROMIUM_PATH ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
};
const stackServer = (flag: string, stack: Parameters<typeof webUrl>[0]) => ({
  command: `tsx e2e/start-stack.ts${flag}`,
  url: webUrl(stack),
  timeout: 120_000,
  reuseExistingServer: false,
  stdout: "pipe" as const,
  stderr: "pipe" as const,
});

export default defineConfig({
  testDir: "./e2e",
  outputDir: "./test-results",
  fullyParallel: false,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  timeout: 60_000,
  expect: { timeout: 15_000 },
  reporter: [["list"], ["html", { open: "never", outputFolder: "playwright-report" }]],
  use: {
    trace: "retain-on-failure",
    screenshot: "only-on-failure",
    launchOptions: chromium,
  },
  projects: docsScreenshot
    ? [
        {
          name: "docs-screenshot",
          testMatch: /docs-screenshot\.spec\.ts/,
          use: { ...devices["Desktop Chrome"], viewport: { width: 1440, height: 900 }, baseURL: webUrl("docs") },
        },
      ]
    : [
        {
          name: "desktop",
          testIgnore: /(local-model|setup|docs-screenshot|multi-instance)\.spec\.ts/,
          use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, baseURL: webUrl("fake") },
        },
        {
          name: "local-model",
          testMatch: /local-model\.spec\.ts/,
          use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 }, baseURL: webUrl("local") },
        },
        {
          // two more stacks whose model is not ready: missing, and downloading (the spec names each one's URL)
          name: "setup",
          testMatch: /setup\.spec\.ts/,
          use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 } },
        },
        {
          // two alma servers behind nginx: the spec starts and stops that cluster itself (e2e/start-cluster.ts)
          name: "multi-instance",
          testMatch: /multi-instance\.spec\.ts/,
          use: { ...devices["Desktop Chrome"], viewport: { width: 1280, height: 800 } },
        },
      ],
  webServer: docsScreenshot
    ? [stackServer(" --docs", "docs")]
    : [stackServer("", "fake"), stackServer(" --local", "local"), stackServer(" --missing", "missing"), stackServer(" --download", "download")],
});
