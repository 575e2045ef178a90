import type { StepRecord } from "@alma/protocol";
import { describe, expect, it } from "vitest";
import type { StoreFactory } from "./conversation-store.contract.js";
import { metrics } from "./conversation-store.contract.js";

const step = (text: string, status: StepRecord["status"] = "running"): StepRecord => ({
  id: "s1",
  title: "Look it up",
  agent: "researcher",
  dependsOn: [],
  text,
  status,
});

/**
 * The live run's flush path, on every backend: each flush appends what was produced since the one before, the
 * final update writes the whole answer and wins.
 */
export function describeAssistantAppendContract(name: string, make: StoreFactory): void {
  describe(`${name}: appending a streaming answer`, () => {
    async function streamingAnswer() {
      const s = await make();
      const c = await s.createConversation("t");
      const a = await s.addAssistantMessage({ conversationId: c.id, runId: "r1", taskType: "conversational" });
      return { s, a };
    }

    it("gives the whole text when the parts are appended in order, unicode and quotes included", async () => {
      const { s, a } = await streamingAnswer();
      const parts = ["Hel", "lo, ", "wörld 👋", "", " it's \"quoted\" \\ and ' single", "\n- a list\n"];
      for (const delta of parts) await s.appendAssistantText(a.id, { delta });
      const m = (await s.getMessage(a.id))!;
      expect(m.content).toBe(parts.join(""));
      expect(m).toMatchObject({ status: "streaming", steps: null, runId: "r1", taskType: "conversational" });
      expect((await s.listContextMessages(m.conversationId)).at(-1)?.content).toBe(parts.join(""));
    });

    it("writes the steps only when given, and leaves the other fields as they were", async () => {
      const { s, a } = await streamingAnswer();
      await s.updateAssistantMessage(a.id, { taskType: "analytical" });
      await s.appendAssistantText(a.id, { delta: "", steps: [step("found")] });
      await s.appendAssistantText(a.id, { delta: "The answer" });
      expect((await s.getMessage(a.id))!.steps).toEqual([step("found")]);
      await s.appendAssistantText(a.id, { delta: " is 42.", steps: [step("found it", "complete")] });
      const m = (await s.getMessage(a.id))!;
      expect(m).toMatchObject({ content: "The answer is 42.", taskType: "analytical", status: "streaming", usage: null, metrics: null, error: null });
      expect(m.steps).toEqual([step("found it", "complete")]);
      await s.appendAssistantText(a.id, { delta: "", steps: null });
      expect((await s.getMessage(a.id))!.steps).toBeNull();
    });

    it("keeps the prefix flushed before a crash: the answer is marked interrupted with it", async () => {
      const { s, a } = await streamingAnswer();
      await s.appendAssistantText(a.id, { delta: "The first half" });
      await s.appendAssistantText(a.id, { delta: " and a bit" });
      // the process dies here: what the run produced after the last flush is lost, the flushed prefix is kept
      expect(await s.markStreamingInterrupted()).toBe(1);
      expect(await s.getMessage(a.id)).toMatchObject({ content: "The first half and a bit", status: "interrupted", finishReason: "interrupted" });
    });

    it("lets the final update win: it writes the whole answer, and a flush that lands after it changes nothing", async () => {
      const { s, a } = await streamingAnswer();
      await s.appendAssistantText(a.id, { delta: "draft tex" });
      await s.updateAssistantMessage(a.id, {
        content: "The final text.",
        status: "complete",
        finishReason: "stop",
        steps: null,
        usage: { promptTokens: 7, completionTokens: 3, reported: true },
        metrics,
        error: null,
      });
      await s.appendAssistantText(a.id, { delta: " late", steps: [step("late")] });
      expect(await s.getMessage(a.id)).toMatchObject({ content: "The final text.", status: "complete", steps: null, metrics });
      // an answer marked interrupted (by this instance at start, or by another one) is not appended to either
      const b = await s.addAssistantMessage({ conversationId: a.conversationId, runId: "r2", taskType: null });
      expect(await s.markStreamingInterrupted()).toBe(1);
      await s.appendAssistantText(b.id, { delta: "after the mark" });
      expect((await s.getMessage(b.id))!.content).toBe("");
    });

    it("appends to a continued answer's kept text once it streams again", async () => {
      const { s, a } = await streamingAnswer();
      await s.appendAssistantText(a.id, { delta: "kept part" });
      await s.updateAssistantMessage(a.id, { status: "stopped", finishReason: "stopped" });
      await s.updateAssistantMessage(a.id, { runId: "r2", status: "streaming", finishReason: null, error: null });
      await s.appendAssistantText(a.id, { delta: ", continued" });
      expect(await s.getMessage(a.id)).toMatchObject({ content: "kept part, continued", runId: "r2", status: "streaming" });
    });

    it("does nothing for a message that does not exist", async () => {
      const { s } = await streamingAnswer();
      await expect(s.appendAssistantText("00000000-0000-4000-8000-000000000000", { delta: "x" })).resolves.toBeUndefined();
    });
  });
}
