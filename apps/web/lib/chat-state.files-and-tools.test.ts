import { describe, expect, it } from "vitest";
import { applyRunEvent, createRunState, type Attachment, type Message, type RunEvent, type RunState } from "@alma/protocol";
import { chatReducer, initialChatState, type ChatState } from "./chat-state";

const file: Attachment = {
  id: "f1",
  conversationId: "c1",
  messageId: null,
  name: "loan.pdf",
  kind: "pdf",
  mediaType: "application/pdf",
  bytes: 20_480,
  chars: 900,
  tokens: 200,
  pages: 3,
  createdAt: 1,
};

/** the run's events, folded as the page's client handle does (one fold per page), delivered one state at a time */
const folds = new WeakMap<ChatState, RunState>();
function run(state: ChatState, events: RunEvent[]): ChatState {
  let fold = folds.get(state) ?? createRunState({ runId: "r1" });
  let s = state;
  for (const e of events) {
    fold = applyRunEvent(fold, e);
    s = chatReducer(s, { type: "inputs", items: [{ kind: "run", state: fold, at: 5000, clientMessageId: "cm1" }] });
  }
  folds.set(s, fold);
  return s;
}

const base = { runId: "r1", at: 10 };
const started: RunEvent = {
  type: "run.started",
  ...base,
  index: 0,
  conversationId: "c1",
  userMessageId: "u1",
  assistantMessageId: "a1",
  taskType: "analytical",
  classification: { type: "analytical", source: "rules", confidence: 0.9 },
  provider: "openai",
  model: "fake",
};
const plan: RunEvent = { type: "run.plan", ...base, index: 1, steps: [{ id: "s1", title: "Compute", agent: "calculator", dependsOn: [] }] };
const stepStarted: RunEvent = { type: "run.step.started", ...base, index: 2, stepId: "s1", title: "Compute", agent: "calculator" };
const toolStarted: RunEvent = {
  type: "run.tool.started",
  ...base,
  index: 3,
  stepId: "s1",
  agent: "calculator",
  callId: "call-1",
  tool: "calculate",
  arguments: '{"code":"300000*0.005/(1-1.005**-360)"}',
};
const toolCompleted: RunEvent = {
  type: "run.tool.completed",
  ...base,
  index: 4,
  stepId: "s1",
  agent: "calculator",
  callId: "call-1",
  tool: "calculate",
  ok: true,
  result: "1798.65",
  error: null,
  durationMs: 12,
};

describe("files and tool calls in the chat", () => {
  it("a sent message shows its files at once and keeps them when its run is placed", () => {
    let s = chatReducer(
      { ...initialChatState, conversationId: "c1" },
      { type: "send", clientMessageId: "cm1", content: "read it", now: 1, attachments: [file] },
    );
    expect(s.messages[0]!.attachments).toEqual([file]);
    s = run(s, [started]);
    expect(s.messages[0]).toMatchObject({ id: "u1", pending: false, attachments: [file] });
    // an edit replaces the text, the files stay with the message
    s = chatReducer(s, { type: "edit", messageId: "u1", clientMessageId: "cm2", content: "read it again", now: 2 });
    expect(s.messages[0]!.attachments).toEqual([file]);
  });

  it("the history's user messages carry their files; a message without any has none", () => {
    const m = (id: string, attachments?: Attachment[]): Message => ({
      id,
      conversationId: "c1",
      role: "user",
      content: "q",
      status: "complete",
      createdAt: 1,
      clientMessageId: null,
      runId: null,
      taskType: null,
      pinned: false,
      steps: null,
      finishReason: null,
      usage: null,
      metrics: null,
      error: null,
      ...(attachments ? { attachments } : {}),
    });
    const s = chatReducer(initialChatState, {
      type: "inputs",
      items: [
        {
          kind: "frame",
          at: 1,
          frame: {
            type: "conversation.history.result",
            conversation: { id: "c1", title: "Loan", createdAt: 1, updatedAt: 1, summary: null, summarizedCount: 0 },
            messages: [m("u1", [{ ...file, messageId: "u1" }]), m("u2")],
            pinnedFacts: [],
            activeRun: null,
            context: null,
          },
        },
      ],
    });
    expect(s.messages.map((x) => x.attachments.map((a) => a.name))).toEqual([["loan.pdf"], []]);
  });

  it("the conversation the first attached file created becomes the page's, unless the page opened another meanwhile", () => {
    const conversation = { id: "c7", title: "New chat", createdAt: 1, updatedAt: 1, summary: null, summarizedCount: 0 };
    const s = chatReducer(initialChatState, { type: "created", conversation });
    expect(s).toMatchObject({ conversationId: "c7", title: "New chat", loadingHistory: false });
    const elsewhere = chatReducer({ ...initialChatState, conversationId: "c2" }, { type: "created", conversation });
    expect(elsewhere.conversationId).toBe("c2");
  });

  it("a step shows its tool calls live: running, then the result and duration; unchanged steps keep their views", () => {
    let s = chatReducer({ ...initialChatState, conversationId: "c1" }, { type: "send", clientMessageId: "cm1", content: "loan?", now: 1 });
    s = run(s, [started, plan, stepStarted, toolStarted]);
    const running = s.messages[1]!.steps![0]!;
    expect(running.tools).toEqual([expect.objectContaining({ id: "call-1", tool: "calculate", status: "running", result: null, durationMs: null })]);
    s = run(s, [toolCompleted]);
    const done = s.messages[1]!.steps![0]!;
    expect(done.tools).toEqual([expect.objectContaining({ status: "ok", result: "1798.65", durationMs: 12 })]);
    expect(done).not.toBe(running);
    // a token of the synthesis leaves the step as it was: the same view, so its section does not render again
    const token: RunEvent = { type: "run.token", ...base, index: 5, seq: 0, text: "The payment", agent: "manager", stepId: null };
    const after = run(s, [token]);
    expect(after.messages[1]!.content).toBe("The payment");
    expect(after.messages[1]!.steps![0]).toBe(done);
  });

  it("a stored step from before tool calls were kept has none", () => {
    const s = chatReducer(initialChatState, {
      type: "inputs",
      items: [
        {
          kind: "frame",
          at: 1,
          frame: {
            type: "conversation.history.result",
            conversation: { id: "c1", title: "Old", createdAt: 1, updatedAt: 1, summary: null, summarizedCount: 0 },
            messages: [
              {
                id: "a1",
                conversationId: "c1",
                role: "assistant",
                content: "x",
                status: "complete",
                createdAt: 1,
                clientMessageId: null,
                runId: "r0",
                taskType: "analytical",
                pinned: false,
                steps: [{ id: "s1", title: "Old step", agent: "analyst", dependsOn: [], text: "t", status: "complete" }],
                finishReason: "stop",
                usage: null,
                metrics: null,
                error: null,
              },
            ],
            pinnedFacts: [],
            activeRun: null,
            context: null,
          },
        },
      ],
    });
    expect(s.messages[0]!.steps![0]).toMatchObject({ tools: [], note: null, durationMs: null });
  });
});
