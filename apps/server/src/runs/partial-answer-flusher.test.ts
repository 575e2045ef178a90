import type { StepRecord } from "@alma/protocol";
import { type AssistantAppend, SqliteConversationStore } from "@alma/store";
import { afterEach, describe, expect, it } from "vitest";
import { PartialAnswerFlusher } from "./partial-answer-flusher.js";

const stores: SqliteConversationStore[] = [];
afterEach(async () => {
  for (const s of stores.splice(0)) await s.close();
});

/** a real store whose appends are recorded on the way through (and can be made to fail) */
async function recordingStore() {
  const store = new SqliteConversationStore({ path: ":memory:" });
  stores.push(store);
  const c = await store.createConversation("t");
  const answer = await store.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: "conversational" });
  const appends: AssistantAppend[] = [];
  const rewrites: string[] = [];
  let failNext = false;
  const recorded = {
    async appendAssistantText(id: string, append: AssistantAppend) {
      if (failNext) {
        failNext = false;
        throw new Error("database is locked");
      }
      appends.push(append);
      return store.appendAssistantText(id, append);
    },
    async updateAssistantMessage(id: string, update: Parameters<SqliteConversationStore["updateAssistantMessage"]>[1]) {
      rewrites.push(update.content ?? "");
      return store.updateAssistantMessage(id, update);
    },
  };
  const stored = async () => (await store.getMessage(answer.id))!;
  return { store, recorded, answer, appends, rewrites, stored, failOnce: () => (failNext = true) };
}

const step = (text: string): StepRecord => ({ id: "s1", title: "Look it up", agent: "researcher", dependsOn: [], text, status: "running" });

describe("PartialAnswerFlusher", () => {
  it("sends only the text that came since the last flush, and nothing when nothing came", async () => {
    const t = await recordingStore();
    const steps: StepRecord[] = [];
    const flusher = new PartialAnswerFlusher(t.recorded, t.answer.id, { text: "", steps });
    let text = "";
    for (let i = 0; i < 50; i++) {
      text += ` token${i}`;
      expect(await flusher.flush({ text, steps })).toBe("appended");
    }
    expect(await flusher.flush({ text, steps })).toBe("unchanged");
    // each flush carries its own part only: together they are the text once, not 50 growing copies of it
    expect(t.appends.map((a) => a.delta).join("")).toBe(text);
    expect(t.appends.every((a) => a.steps === undefined)).toBe(true);
    expect(t.rewrites).toEqual([]);
    expect((await t.stored()).content).toBe(text);
  });

  it("writes the steps only when they changed", async () => {
    const t = await recordingStore();
    const none: StepRecord[] = [];
    const flusher = new PartialAnswerFlusher(t.recorded, t.answer.id, { text: "", steps: none });
    const first = [step("looking")];
    await flusher.flush({ text: "", steps: first });
    await flusher.flush({ text: "Partial", steps: first });
    const second = [step("looking it up")];
    await flusher.flush({ text: "Partial answer", steps: second });
    expect(t.appends).toEqual([{ delta: "", steps: first }, { delta: "Partial" }, { delta: " answer", steps: second }]);
    expect(await t.stored()).toMatchObject({ content: "Partial answer", steps: second });
  });

  it("after a failed flush, sends the failed part again with the next one: no hole in the stored answer", async () => {
    const t = await recordingStore();
    const steps: StepRecord[] = [];
    const flusher = new PartialAnswerFlusher(t.recorded, t.answer.id, { text: "", steps });
    await flusher.flush({ text: "one", steps });
    t.failOnce();
    await expect(flusher.flush({ text: "one two", steps })).rejects.toThrow("database is locked");
    await flusher.flush({ text: "one two three", steps });
    expect(t.appends.map((a) => a.delta)).toEqual(["one", " two three"]);
    expect((await t.stored()).content).toBe("one two three");
  });

  it("continues a kept answer from its end, and rewrites the whole text were the fold ever to replace it", async () => {
    const t = await recordingStore();
    await t.store.appendAssistantText(t.answer.id, { delta: "kept part" });
    const steps: StepRecord[] = [];
    const flusher = new PartialAnswerFlusher(t.recorded, t.answer.id, { text: "kept part", steps });
    await flusher.flush({ text: "kept part, continued", steps });
    expect(t.appends.map((a) => a.delta)).toEqual([", continued"]);
    expect(await flusher.flush({ text: "another text", steps })).toBe("rewritten");
    expect(t.rewrites).toEqual(["another text"]);
    await flusher.flush({ text: "another text, and more", steps });
    expect((await t.stored()).content).toBe("another text, and more");
  });
});
