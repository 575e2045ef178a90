import { readFileSync } from "node:fs";
import { expect, test, type Page } from "@playwright/test";
import { expectWholeAnswer, norm, sampleAnswer, shownAnswer } from "./answer-samples";
import { SCENARIOS, STEADY_ANSWER } from "./fake-model";
import { lastAssistant, send } from "./helpers";
import { DOCUMENTED_SITE, documentedSiteOf, renderNginxSite } from "./nginx-config";
import { watchSocketUpstreams } from "./socket-upstreams";
import { type Cluster, startCluster } from "./start-cluster";
import type { AlmaProcess } from "./spawn-alma-server";

/**
 * Two alma servers on one PostgreSQL database behind nginx (round robin, no stickiness), as docs/deploy.md deploys
 * them, driven through nginx in Chromium. Every step says which instance it expects and checks nginx sent it there
 * (the X-Alma-Upstream header of the socket's handshake), so "the other instance" is asserted, not hoped for.
 */

const DEPLOY_DOC = new URL("../../../docs/deploy.md", import.meta.url);

test("docs/deploy.md shows the nginx site this test runs, rendered from the same template", () => {
  expect(documentedSiteOf(readFileSync(DEPLOY_DOC, "utf8"))).toBe(renderNginxSite(DOCUMENTED_SITE));
});

test.describe("two alma servers behind nginx", () => {
  let cluster: Cluster;
  let a: AlmaProcess;
  let b: AlmaProcess;

  test.beforeAll(async () => {
    test.setTimeout(240_000);
    cluster = await startCluster({ redis: true });
    [a, b] = cluster.instances as [AlmaProcess, AlmaProcess];
  });
  test.afterAll(async () => {
    test.setTimeout(60_000);
    await cluster?.stop();
  });

  const ref = () => Math.random().toString(36).slice(2, 8);

  /**
   * Loads the page (`go`) until nginx puts its socket on `target`, and checks it did. Round robin is only predictable
   * between our own requests: the page's other calls through the same upstream (a conversation's files, the web
   * app's own requests) can take the turn the probe set up, so a socket that landed on the other instance loads again.
   */
  async function landOn(upstreams: string[], target: AlmaProcess, go: () => Promise<unknown>): Promise<void> {
    let landed = "";
    for (let attempt = 0; attempt < 5 && landed !== target.name; attempt++) {
      const before = upstreams.length;
      await cluster.nextRequestTo(target);
      await go();
      await expect.poll(() => upstreams.length, { message: "the page opened its socket" }).toBeGreaterThan(before);
      landed = cluster.instanceAt(upstreams[before]).name;
    }
    expect(landed, "the instance nginx sent the page's socket to").toBe(target.name);
  }

  /** Opens `path` with the page's socket on `target`, and checks nginx put it there. */
  async function openOn(page: Page, upstreams: string[], target: AlmaProcess, path = "/"): Promise<void> {
    await landOn(upstreams, target, () => page.goto(`${cluster.url}${path}`));
    await expect(page.getByTestId("model-status")).toHaveAttribute("data-state", "ready");
  }

  test("nginx sends request after request to the other instance, and both answer from PostgreSQL", async () => {
    const served: string[] = [];
    for (let i = 0; i < 4; i++) {
      const res = await fetch(`${cluster.almaUrl}/health`);
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ status: "ok", database: { kind: "postgres", ok: true }, redis: { ok: true } });
      served.push(cluster.served(res).name);
    }
    expect(new Set(served)).toEqual(new Set([a.name, b.name]));
    for (let i = 1; i < served.length; i++) expect(served[i], `request ${i + 1} went to the other instance`).not.toBe(served[i - 1]);
  });

  test("both instances list the same conversations", async ({ page }) => {
    const upstreams = await watchSocketUpstreams(page);
    const titles = [`Harbour lights ${ref()}`, `Granite steps ${ref()}`];
    // each conversation is started on a different instance, through the page
    for (const [i, title] of titles.entries()) {
      await openOn(page, upstreams, i === 0 ? a : b);
      await send(page, `${title} (${SCENARIOS.brief})`);
      await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
    }
    // the HTTP API of each instance, through nginx
    const lists: Array<{ by: string; titles: string[] }> = [];
    for (let i = 0; i < 2; i++) {
      const res = await fetch(`${cluster.almaUrl}/api/conversations`);
      const body = (await res.json()) as { conversations: Array<{ id: string; title: string }> };
      lists.push({ by: cluster.served(res).name, titles: body.conversations.map((c) => c.title) });
    }
    expect(new Set(lists.map((l) => l.by))).toEqual(new Set([a.name, b.name]));
    expect(lists[0]!.titles).toEqual(lists[1]!.titles);
    for (const title of titles) expect(lists[0]!.titles.some((t) => t.includes(title))).toBe(true);
    // and the sidebar, with the page's socket on each instance
    for (const target of [a, b]) {
      await openOn(page, upstreams, target);
      const items = page.getByTestId("conversation-item");
      for (const title of titles) await expect(items.filter({ hasText: title })).toHaveCount(1);
    }
  });

  test("a conversation made through one instance opens through the other, whole", async ({ page }) => {
    const upstreams = await watchSocketUpstreams(page);
    await openOn(page, upstreams, a);
    const question = `Tell me about the tide tables ${ref()}`;
    await send(page, question);
    const answer = lastAssistant(page);
    await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 30_000 });
    await expect(page).toHaveURL(/\/c\/[A-Za-z0-9_-]+$/);
    const text = (await answer.getByTestId("message-content").textContent()) ?? "";
    expect(text).toContain("token30");
    const path = new URL(page.url()).pathname;

    await openOn(page, upstreams, b, path);
    await expect(page.locator('[data-testid="message"]')).toHaveCount(2);
    await expect(page.locator('[data-testid="message"][data-role="user"]')).toContainText(question);
    await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete");
    await expect(lastAssistant(page).getByTestId("message-content")).toHaveText(text);
  });

  // each attempt asks in its own words: the same question again would be answered at once from the response cache
  const steady = (words: string) => `${SCENARIOS.steady}, ${words} (ref ${ref()})`;

  /** Starts the steady answer with the page's socket on `owner`, and returns once it is part way. */
  async function startSteadyAnswerOn(page: Page, upstreams: string[], owner: AlmaProcess, words: string): Promise<string> {
    await openOn(page, upstreams, owner);
    const question = steady(words);
    await send(page, question);
    await expect(lastAssistant(page).getByTestId("message-content")).toContainText("n20 ", { timeout: 20_000 });
    await expect(page).toHaveURL(/\/c\/[A-Za-z0-9_-]+$/);
    return question;
  }

  /** the fake upstream's record of the answer's own request (not the route's classification) for the question */
  const answerRequest = (question: string) =>
    cluster.upstream.chatRequests().find((r) => JSON.stringify(r.body).includes(question) && (r.reply?.tokens?.length ?? 0) > 100);

  test("a reload mid-answer lands on the other instance and shows every token once", async ({ page }) => {
    const upstreams = await watchSocketUpstreams(page);
    await startSteadyAnswerOn(page, upstreams, a, "then I reload onto the other instance");
    await landOn(upstreams, b, () => page.reload());
    const samples = await sampleAnswer(page);
    expectWholeAnswer(samples);
    // it joined part way: the first text after the reload was already there, and not yet all of it
    expect(norm(samples[0]!).length).toBeGreaterThan(0);
    expect(norm(samples[0]!).length).toBeLessThan(norm(STEADY_ANSWER).length);
  });

  test("a second tab opened mid-answer on the other instance follows it whole", async ({ page, context }) => {
    const upstreams = await watchSocketUpstreams(page);
    await startSteadyAnswerOn(page, upstreams, a, "while a second tab opens on the other instance");
    const second = await context.newPage();
    const secondUpstreams = await watchSocketUpstreams(second);
    await openOn(second, secondUpstreams, b, new URL(page.url()).pathname);
    const [first, other] = await Promise.all([sampleAnswer(page), sampleAnswer(second)]);
    expectWholeAnswer(other);
    expectWholeAnswer(first);
    await second.close();
  });

  test("Stop pressed in a tab on the other instance stops the answer and closes the upstream request", async ({ page, context }) => {
    const upstreams = await watchSocketUpstreams(page);
    const question = await startSteadyAnswerOn(page, upstreams, a, "until a tab on the other instance stops it");
    const second = await context.newPage();
    await openOn(second, await watchSocketUpstreams(second), b, new URL(page.url()).pathname);
    await expect(lastAssistant(second)).toHaveAttribute("data-status", "streaming");
    await second.getByTestId("stop").click();
    for (const tab of [second, page]) await expect(lastAssistant(tab)).toHaveAttribute("data-status", "stopped");
    // the owner (alma-a) closed its request to the model: the fake upstream saw the client go before the answer ended
    const request = answerRequest(question);
    expect(request, "the answer's request reached the fake upstream").toBeDefined();
    const ended = await cluster.upstream.waitForAbort(request!.index, 15_000);
    expect(ended.clientAborted).toBe(true);
    expect(ended.completed).toBe(false);
    // both tabs show the same partial text, and it stays as it is
    const partial = await shownAnswer(page);
    expect(norm(STEADY_ANSWER).startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(norm(STEADY_ANSWER).length);
    await expect.poll(() => shownAnswer(second)).toBe(partial);
    await second.close();
  });

  test("a tab on the other instance sees a message another tab sends, its answer, and a rename", async ({ page, context }) => {
    const upstreams = await watchSocketUpstreams(page);
    await openOn(page, upstreams, a);
    const firstRef = ref();
    await send(page, `first question on alma-a (ref ${firstRef})`);
    await expect(lastAssistant(page)).toHaveAttribute("data-status", "complete", { timeout: 20_000 });
    const other = await context.newPage();
    await openOn(other, await watchSocketUpstreams(other), b, new URL(page.url()).pathname);
    await expect(other.locator('[data-testid="message"]')).toHaveCount(2);
    await send(page, steady("while a tab on the other instance watches"));
    // the new message reaches alma-b over Redis (a conversation change), then its answer's stream
    await expect(other.locator('[data-testid="message"][data-role="user"]').last()).toContainText("while a tab on the other instance watches", {
      timeout: 20_000,
    });
    // sampled once its answer is there (the question comes as a change, the answer's run after it)
    await expect(other.locator('[data-testid="message"]')).toHaveCount(4);
    expectWholeAnswer(await sampleAnswer(other));
    // a rename on alma-a shows in alma-b's sidebar
    const title = `Renamed across instances ${ref()}`;
    const item = page.getByTestId("conversation-item").filter({ hasText: firstRef });
    await item.hover();
    await item.getByTestId("rename-conversation").click();
    await page.getByTestId("rename-input").fill(title);
    await page.getByTestId("rename-input").press("Enter");
    await expect(other.getByTestId("conversation-item").filter({ hasText: title })).toHaveCount(1);
    await other.close();
  });

  // last: it leaves one instance
  test("kill -9 of the instance writing an answer leaves it interrupted with its text, and Continue finishes it on the other", async ({ page }) => {
    test.setTimeout(120_000);
    const upstreams = await watchSocketUpstreams(page);
    await startSteadyAnswerOn(page, upstreams, a, "while its instance is killed");
    a.child.kill("SIGKILL");
    await a.exited;
    const answer = lastAssistant(page);
    // the survivor sees alma-a's heartbeat expire and marks its answer interrupted, keeping the text written so far
    await expect(answer).toHaveAttribute("data-status", "interrupted", { timeout: 30_000 });
    expect(cluster.instanceAt(upstreams.at(-1)).name, "the page reconnected to the survivor").toBe(b.name);
    const partial = await shownAnswer(page);
    expect(partial.length).toBeGreaterThan(0);
    expect(norm(STEADY_ANSWER).startsWith(partial)).toBe(true);
    expect(partial.length).toBeLessThan(norm(STEADY_ANSWER).length);
    await answer.getByTestId("error-continue").or(answer.getByTestId("continue")).first().click();
    await expect(answer).toHaveAttribute("data-status", "complete", { timeout: 40_000 });
    const whole = await shownAnswer(page);
    expect(whole.startsWith(partial), "Continue appended to the kept text").toBe(true);
    expect(whole.length).toBeGreaterThan(partial.length);
    // after a reload, from the store: the same one answer
    await page.reload();
    await expect(page.locator('[data-testid="message"][data-role="assistant"]')).toHaveCount(1);
    await expect.poll(() => shownAnswer(page)).toBe(whole);
  });
});
