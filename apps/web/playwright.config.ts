import { defineConfig, devices } from "@playwright/test";
import { webUrl } from "./e2e/ports";

// `pnpm test:e2e` runs after `next build` (turbo's dependsOn); ALMA_E2E_DEV=1 uses `next dev` instead.
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
    launchOptions: {
      executablePath: process.env.PLAYWRIGHT_CHROMIUM_PATH ?? "/usr/bin/chromium",
      args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update"],
    },
  },
  projects: [
    {
      name: "desktop",
      testIgnore: /(local-model|setup)\.spec\.ts/,
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
  ],
  webServer: [
    { command: "tsx e2e/start-stack.ts", url: webUrl("fake"), timeout: 120_000, reuseExistingServer: false, stdout: "pipe", stderr: "pipe" },
    { command: "tsx e2e/start-stack.ts --local", url: webUrl("local"), timeout: 120_000, reuseExistingServer: false, stdout: "pipe", stderr: "pipe" },
    { command: "tsx e2e/start-stack.ts --missing", url: webUrl("missing"), timeout: 120_000, reuseExistingServer: false, stdout: "pipe", stderr: "pipe" },
    { command: "tsx e2e/start-stack.ts --download", url: webUrl("download"), timeout: 120_000, reuseExistingServer: false, stdout: "pipe", stderr: "pipe" },
  ],
});
