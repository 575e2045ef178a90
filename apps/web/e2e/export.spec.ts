import { readFile } from "node:fs/promises";
import { expect, test, type Page } from "@playwright/test";
import { lastAssistant, openChat, send } from "./helpers";

/** the server's file name for a title (apps/server's exportFileName) */
const slug = (title: string) =>
  title
    .normalize("NFKD")
    .replace(/[\u0300-\u036f]/g, "")
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60)
    .replace(/-+$/, "");

async function exportAs(page: Page, item: "export-markdown" | "export-json") {
  const download = page.waitForEvent("download");
  await page.getByTestId("export-menu").click();
  await page.getByTestId(item).click();
  const file = await download;
  return { name: file.suggestedFilename(), text: await readFile((await file.path())!, "utf8") };
}

test("the conversation header exports the conversation as Markdown and as JSON, downloaded under the server's file name", async ({ page }) => {
  await openChat(page);
  // nothing to export on a new chat
  await expect(page.getByTestId("export-menu")).toHaveCount(0);
  const question = "Export this weekend plan for Lisbon";
  await send(page, question);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
  const conversationId = /\/c\/([A-Za-z0-9_-]+)$/.exec(page.url())![1]!;
  const title = (await page.getByTestId("conversation-title").textContent())!;
  const answer = (await lastAssistant(page).getByTestId("message-content").textContent())!;

  const exports: Array<{ url: string; authorization: string | undefined }> = [];
  page.on("request", (r) => {
    if (r.url().includes("/export?")) exports.push({ url: r.url(), authorization: r.headers().authorization });
  });

  const md = await exportAs(page, "export-markdown");
  expect(md.name).toBe(`${slug(title)}.md`);
  expect(md.text).toContain(title);
  expect(md.text).toContain(question);
  expect(md.text).toContain("token30");
  await expect(page.getByTestId("toast").last()).toContainText(`Exported as ${md.name}`);

  const json = await exportAs(page, "export-json");
  expect(json.name).toBe(`${slug(title)}.json`);
  const body = JSON.parse(json.text) as { version: number; conversation: { id: string; title: string }; messages: Array<{ role: string; content: string }> };
  expect(body.version).toBe(1);
  expect(body.conversation.id).toBe(conversationId);
  expect(body.messages.map((m) => m.role)).toEqual(["user", "assistant"]);
  expect(body.messages[0]!.content).toBe(question);
  expect(body.messages[1]!.content.trim()).toBe(answer.trim());

  // through the web app's route of the same path (the page's CSP allows only the server's socket), on to the server's;
  // this stack has no token, so none is sent
  expect(exports.map((e) => new URL(e.url).origin)).toEqual([new URL(page.url()).origin, new URL(page.url()).origin]);
  expect(exports.map((e) => new URL(e.url).pathname)).toEqual([`/api/conversations/${conversationId}/export`, `/api/conversations/${conversationId}/export`]);
  expect(exports.map((e) => new URL(e.url).searchParams.get("format"))).toEqual(["markdown", "json"]);
  expect(exports.every((e) => e.authorization === undefined)).toBe(true);

  // the menu works from the keyboard too, and gives focus back
  await page.getByTestId("export-menu").focus();
  await page.keyboard.press("Enter");
  await expect(page.getByTestId("export-markdown")).toBeVisible();
  await page.keyboard.press("Escape");
  await expect(page.getByTestId("export-markdown")).toHaveCount(0);
  await expect(page.getByTestId("export-menu")).toBeFocused();
});
