import { expect, test } from "@playwright/test";
import { lastAssistant, send, shot } from "./helpers";
import { controlUrl, webUrl } from "./ports";

test("with no model ready, the setup screen names the problem and the three ways to fix it, and sending is disabled with a reason", async ({ page }) => {
  await page.goto(webUrl("missing"));
  await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "unavailable");
  const setup = page.getByTestId("setup-screen");
  await expect(setup).toHaveAttribute("data-state", "unavailable");
  await expect(setup.getByRole("heading", { name: "No model is ready" })).toBeVisible();
  await expect(setup).toContainText(/The local model file .*no-such-model\.gguf does not exist/);
  const ways = setup.getByRole("listitem");
  await expect(ways).toHaveCount(3);
  await expect(ways.nth(0)).toContainText("OPENAI_API_KEY");
  await expect(ways.nth(1)).toContainText("OPENAI_BASE_URL");
  await expect(ways.nth(2)).toContainText("ALMA_MODEL");
  // where those settings go, and both settings an OpenAI-compatible server needs
  await expect(setup.getByTestId("setup-where")).toContainText(".env file at the root of the alma folder");
  await expect(setup.getByTestId("setup-where")).toContainText("the shell that starts the server");
  await expect(setup.getByTestId("setup-example")).toContainText("OPENAI_BASE_URL=");
  await expect(setup.getByTestId("setup-example")).toContainText("OPENAI_MODEL=");

  await expect(page.getByTestId("composer-reason")).toHaveText(/No model is ready/);
  await page.getByTestId("composer").fill("hello?");
  await expect(page.getByTestId("send")).toBeDisabled();
  await page.getByTestId("composer").press("Enter");
  // nothing was sent, and what was typed is kept
  await expect(page.getByTestId("message")).toHaveCount(0);
  await expect(page.getByTestId("composer")).toHaveValue("hello?");
  await shot(page, "13-setup-no-model");
});

test("while the embedded engine downloads its model the page shows the progress, then the model becomes ready and answers", async ({ page }) => {
  await page.goto(webUrl("download"));
  const setup = page.getByTestId("setup-screen");
  await expect(setup).toHaveAttribute("data-state", "downloading");
  await expect(setup.getByRole("heading", { name: "Downloading the model" })).toBeVisible();
  const bar = setup.getByRole("progressbar");
  await expect(bar).toHaveAccessibleName(/Downloading http:\/\/127\.0\.0\.1:\d+\/stories260K\.gguf/);
  // the stack holds the file at half until released
  const pct = Number(await bar.getAttribute("aria-valuenow"));
  expect(pct).toBeGreaterThanOrEqual(40);
  expect(pct).toBeLessThan(100);
  await expect(setup.getByTestId("download-progress")).toContainText(/stories260K\.gguf: [\d.]+ [kKM]i?B of [\d.]+ [kKM]i?B \(\d+%\)/);
  await expect(page.getByTestId("composer-reason")).toHaveText(/downloading/i);
  await expect(page.getByTestId("send")).toBeDisabled();
  await shot(page, "14-model-downloading");

  const res = await fetch(`${controlUrl("download")}/release-download`, { method: "POST" });
  expect(res.status).toBe(200);
  await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "ready", { timeout: 30_000 });
  await expect(setup).toHaveCount(0);
  await expect(page.getByTestId("composer-reason")).toHaveText("");

  await page.getByTestId("task-type").click();
  await page.getByTestId("task-type-conversational").click();
  await send(page, "Once upon a time");
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 45_000 });
});
