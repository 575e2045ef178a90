import { expect, test, type Page } from "@playwright/test";
import { lastAssistant, openChat, send, shot } from "./helpers";

const userMessage = (page: Page) => page.locator('[data-testid="message"][data-role="user"]').last();
const composerChips = (page: Page) => page.getByTestId("composer-attachments").getByTestId("attachment-chip");

test("files attached by the paperclip and by a drop show as chips, go with the message and stay on it after a reload", async ({ page }) => {
  await openChat(page);
  // by the button: the picker's input gets the files
  await page
    .getByTestId("attach-input")
    .setInputFiles([
      { name: "trip-notes.txt", mimeType: "text/plain", buffer: Buffer.from("We land in Lisbon on Friday at 09:40.\nThe hotel is in Alfama.\n") },
    ]);
  const notes = composerChips(page).filter({ hasText: "trip-notes.txt" });
  await expect(notes).toHaveAttribute("data-status", "ready");
  await expect(notes.getByTestId("attachment-detail")).toHaveText(/^Text · \d+ B$/);
  // the first file in a new chat created its conversation: the page belongs to it now
  await expect(page).toHaveURL(/\/c\/[A-Za-z0-9_-]+$/);
  const conversationUrl = page.url();

  // by a drop onto the chat: the drop zone shows while files are dragged over it
  const dataTransfer = await page.evaluateHandle(() => {
    const dt = new DataTransfer();
    dt.items.add(new File(["day,city\nFriday,Lisbon\nSaturday,Sintra\n"], "itinerary.csv", { type: "text/csv" }));
    return dt;
  });
  await page.dispatchEvent('[data-testid="drop-target"]', "dragenter", { dataTransfer });
  await expect(page.getByTestId("drop-zone")).toBeVisible();
  await page.dispatchEvent('[data-testid="drop-target"]', "drop", { dataTransfer });
  await expect(page.getByTestId("drop-zone")).toHaveCount(0);
  const itinerary = composerChips(page).filter({ hasText: "itinerary.csv" });
  await expect(itinerary).toHaveAttribute("data-status", "ready");
  await expect(itinerary).toHaveAttribute("data-kind", "csv");

  // a removed chip does not go with the message
  await page.getByTestId("attach-input").setInputFiles([{ name: "draft.md", mimeType: "text/markdown", buffer: Buffer.from("# not this one\n") }]);
  await expect(composerChips(page).filter({ hasText: "draft.md" })).toHaveAttribute("data-status", "ready");
  await page.getByRole("button", { name: "Remove draft.md" }).click();
  await expect(composerChips(page)).toHaveCount(2);

  await send(page, "What do my trip files say?");
  await expect(composerChips(page)).toHaveCount(0);
  const onMessage = userMessage(page).getByTestId("message-attachment");
  await expect(onMessage).toHaveCount(2);
  await shot(page, "attachments-sent");
  await expect(onMessage.getByTestId("attachment-name")).toHaveText(["trip-notes.txt", "itinerary.csv"]);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
  expect(page.url()).toBe(conversationUrl);

  await page.reload();
  await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "ready");
  const stored = userMessage(page).getByTestId("message-attachment");
  await expect(stored.getByTestId("attachment-name")).toHaveText(["trip-notes.txt", "itinerary.csv"]);
  await expect(stored.first().getByTestId("attachment-detail")).toHaveText(/^Text · \d+ B$/);
  await expect(stored.nth(1).getByTestId("attachment-detail")).toHaveText(/^CSV · \d+ B$/);
});

test("a file that is not what its name says gets the server's message on its chip; one too large is told before uploading", async ({ page }) => {
  await openChat(page);
  const refusal = page.waitForResponse((r) => r.url().includes("/attachments") && r.request().method() === "POST");
  // a PNG named like a text file
  await page
    .getByTestId("attach-input")
    .setInputFiles([{ name: "photo.txt", mimeType: "text/plain", buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) }]);
  const answer = await refusal;
  expect(answer.status()).toBe(422);
  const { message } = (await answer.json()) as { message: string };
  expect(message).toMatch(/photo\.txt is named like a text file but it is a PNG image/);
  const chip = composerChips(page).filter({ hasText: "photo.txt" });
  await expect(chip).toHaveAttribute("data-status", "failed");
  await expect(chip.getByTestId("attachment-error")).toHaveText(message);
  // the same file would be refused again: no retry, only remove
  await expect(chip.getByTestId("attachment-retry")).toHaveCount(0);

  const uploads: string[] = [];
  page.on("request", (r) => {
    if (r.url().includes("/attachments") && r.method() === "POST") uploads.push(r.url());
  });
  await page.getByTestId("attach-input").setInputFiles([{ name: "huge.txt", mimeType: "text/plain", buffer: Buffer.alloc(11 * 1024 * 1024, 0x61) }]);
  const huge = composerChips(page).filter({ hasText: "huge.txt" });
  await expect(huge.getByTestId("attachment-error")).toHaveText("huge.txt is 11 MB; a file may be at most 10 MB. Attach a smaller file or split it.");
  expect(uploads).toEqual([]);
  // in the dark the chips keep their states apart: a ready one quiet, a failed one in the error colour
  await page.getByTestId("attach-input").setInputFiles([{ name: "ok.json", mimeType: "application/json", buffer: Buffer.from('{"a": 1}') }]);
  await expect(composerChips(page).filter({ hasText: "ok.json" })).toHaveAttribute("data-status", "ready");
  await page.getByTestId("theme-toggle").click();
  await page.getByTestId("theme-toggle").click();
  await expect(page.locator("html")).toHaveClass(/dark/);
  const colours = await page.evaluate(() => {
    const error = document.querySelector<HTMLElement>('[data-testid="attachment-error"]')!;
    const detail = document.querySelector<HTMLElement>('[data-status="ready"] [data-testid="attachment-detail"]')!;
    return { error: getComputedStyle(error).color, detail: getComputedStyle(detail).color };
  });
  expect(colours.error).not.toBe(colours.detail);
  await shot(page, "attachments-dark");
  await page.getByTestId("theme-toggle").click();
  await huge.getByRole("button", { name: "Remove huge.txt" }).click();
  await expect(composerChips(page)).toHaveCount(2);
});

test("files uploaded and not sent come back as ready chips after a reload, and go with the next message", async ({ page }) => {
  await openChat(page);
  await page.getByTestId("composer").fill("What do these say?");
  await page.getByTestId("attach-input").setInputFiles([
    { name: "notes.txt", mimeType: "text/plain", buffer: Buffer.from("The meeting is on Tuesday.\n") },
    { name: "sales.csv", mimeType: "text/csv", buffer: Buffer.from("month,total\nJan,120\nFeb,80\n") },
  ]);
  await expect(composerChips(page).filter({ hasText: "notes.txt" })).toHaveAttribute("data-status", "ready");
  await expect(composerChips(page).filter({ hasText: "sales.csv" })).toHaveAttribute("data-status", "ready");
  await expect(page).toHaveURL(/\/c\/[A-Za-z0-9_-]+$/);

  await page.reload();
  await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "ready");
  await expect(composerChips(page).getByTestId("attachment-name")).toHaveText(["notes.txt", "sales.csv"]);
  await expect(composerChips(page).first()).toHaveAttribute("data-status", "ready");
  await expect(page.getByTestId("composer")).toHaveValue("What do these say?");
  await page.getByTestId("composer").press("Enter");
  await expect(userMessage(page).getByTestId("message-attachment").getByTestId("attachment-name")).toHaveText(["notes.txt", "sales.csv"]);
  await expect(composerChips(page)).toHaveCount(0);
  await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
});

test("a file that could not be attached holds Send until it is removed; removing chips by keyboard keeps focus in the composer", async ({ page }) => {
  await openChat(page);
  await page.getByTestId("attach-input").setInputFiles([
    { name: "photo.txt", mimeType: "text/plain", buffer: Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 13]) },
    { name: "empty.txt", mimeType: "text/plain", buffer: Buffer.alloc(0) },
    { name: "good.md", mimeType: "text/markdown", buffer: Buffer.from("# kept\n") },
  ]);
  await expect(composerChips(page).filter({ hasText: "photo.txt" })).toHaveAttribute("data-status", "failed");
  await expect(composerChips(page).filter({ hasText: "empty.txt" })).toHaveAttribute("data-status", "failed");
  await expect(composerChips(page).filter({ hasText: "good.md" })).toHaveAttribute("data-status", "ready");
  const conversationId = page.url().split("/c/")[1]!;
  await send(page, "Read my files");
  await expect(page.getByTestId("composer-reason")).toHaveText("Remove or retry the files that could not be attached.");
  await expect(page.locator('[data-testid="message"][data-role="user"]')).toHaveCount(0);
  await expect(composerChips(page)).toHaveCount(3);

  // by keyboard: focus goes to the next chip's Remove, never to the page's body
  await page.getByRole("button", { name: "Remove photo.txt" }).focus();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Remove empty.txt" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(page.getByRole("button", { name: "Remove good.md" })).toBeFocused();
  await page.keyboard.press("Enter");
  await expect(composerChips(page)).toHaveCount(0);
  await expect(page.getByTestId("composer")).toBeFocused();

  // the conversation the first file made holds no message: once another chat is open it is not listed
  await expect(page.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`)).toHaveCount(1);
  await page.getByTestId("new-chat").click();
  await expect(page).toHaveURL(/\/$/);
  await expect(page.getByTestId("conversation-list")).toBeVisible();
  await expect(page.locator(`[data-testid="conversation-item"][data-conversation-id="${conversationId}"]`)).toHaveCount(0);
});
