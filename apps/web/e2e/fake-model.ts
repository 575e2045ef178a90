import { ALL_SUPPORTED, CLASSIFY_MARKER, PLAN_MARKER, REVIEW_MARKER, STEP_MARKER, SYNTHESIS_MARKER } from "@alma/agent";
import { answerFromToolResults, type FakeChatRequest, type FakeHandler, type FakeReply, loanPaymentCode } from "@alma/testing";

/**
 * The fake upstream's behaviour, chosen by what the request says, so every browser test can pick its
 * scenario through the message it types. The agent's prompts are recognised by the markers @alma/agent
 * exports, so a reworded prompt cannot silently turn an analytical run into a plain answer here.
 */
export const SCENARIOS = {
  slow: "please answer slowly",
  fast: "stream fast",
  failOnce: "fail once",
  badKey: "bad key",
  xss: "show xss",
  markdown: "show markdown",
  steady: "count steadily",
  steadySteps: "analyse steadily",
  /** a one-word answer at once: for tests that need many conversations quickly */
  brief: "answer in one word",
} as const;

/** what each step of the "analyse steadily" scenario writes: 120 words at 20 tokens/s, so a reload lands mid-step even on a loaded machine */
export const steadyStepText = (which: string) => Array.from({ length: 120 }, (_, i) => `s${which}w${i + 1}`).join(" ");

/** what the "count steadily" scenario answers, word by word at 20 tokens/s (12 s, inside a chat answer's 256-token budget), so a reload or a second tab lands mid-answer even on a loaded machine */
export const STEADY_ANSWER = Array.from({ length: 240 }, (_, i) => `n${i + 1}`).join(" ");

export const XSS_ANSWER = [
  "Payloads follow.",
  "",
  "<script>window.__almaXss = 'script'</script>",
  "",
  "<img src=x onerror=\"window.__almaXss='img'\">",
  "",
  "[click me](javascript:window.__almaXss='link')",
  "",
  "<a href=\"javascript:window.__almaXss='a'\" onclick=\"window.__almaXss='onclick'\">html link</a>",
  "",
  "<iframe src=\"javascript:window.__almaXss='iframe'\"></iframe>",
  "",
  "End of payloads.",
].join("\n");

export const MARKDOWN_ANSWER = [
  "## Result",
  "",
  "| metric | value |",
  "|---|---|",
  "| ttft | 42 ms |",
  "",
  "- [x] streamed",
  "- [ ] cached",
  "",
  "```ts",
  "const answer: number = 42;",
  "```",
  "",
  "Done.",
].join("\n");

/**
 * The README's screenshot (e2e/docs-screenshot.spec.ts): a question a real user would ask, planned into steps
 * with real findings, and a real answer; plus a few earlier conversations for the sidebar. Matched exactly.
 */
export const DOCS_QUESTION =
  "Our team of five is building an internal inventory tool. Should we use PostgreSQL or SQLite? Compare them for our case and recommend one.";

export const DOCS_PLAN = [
  {
    id: "s1",
    title: "Weigh SQLite for a small internal tool",
    instruction: "List what SQLite offers and where it stops for a five-person team's inventory tool.",
    dependsOn: [],
    text: [
      "SQLite is a single file inside the application: no server to install, back up or patch, and reads are very fast.",
      "It handles a few writers well with WAL mode, but every write still takes the one database lock, so bursts of edits queue up.",
      "Backups are a file copy; there are no users, roles or network access of its own.",
    ].join(" "),
  },
  {
    id: "s2",
    title: "Weigh PostgreSQL for the same tool",
    instruction: "List what PostgreSQL offers and what it costs to run for the same team.",
    dependsOn: [],
    text: [
      "PostgreSQL runs as a server: many people can write at once, with row-level locking, roles and point-in-time recovery.",
      "It needs a host, upgrades and monitoring, which for five people means someone owning it.",
      "Managed offerings remove most of that work for a small monthly fee.",
    ].join(" "),
  },
];

export const DOCS_ANSWER = [
  "## Recommendation: start with SQLite",
  "",
  "For five people editing an inventory, **SQLite** covers the load with far less to run. Move to PostgreSQL when the tool outgrows one machine.",
  "",
  "| | SQLite | PostgreSQL |",
  "|---|---|---|",
  "| Setup | a file in the app | a server to host |",
  "| Concurrent writes | one at a time (WAL) | many, row-level locks |",
  "| Backups | copy the file | dumps or point-in-time recovery |",
  "| Access control | the app's own | roles and grants |",
  "",
  "**Switch to PostgreSQL when** several services need the data, writes pile up at busy times, or you need per-user permissions in the database.",
  "",
  "Keep the SQL portable (no SQLite-only types) and the move later is a dump and a restore.",
].join("\n");

/** earlier conversations for the screenshot's sidebar, oldest first, each with a short real answer */
export const DOCS_HISTORY: Array<{ question: string; answer: string }> = [
  {
    question: "Write a haiku about the first autumn rain",
    answer: "Dry leaves hold their breath —\nthe first drops tap on the roof,\nthe whole street smells new.",
  },
  {
    question: "Explain the difference between TCP and UDP in two sentences",
    answer:
      "TCP sets up a connection and guarantees that bytes arrive complete and in order, resending what is lost. UDP just sends independent packets with no such promises, which makes it faster and lighter for things like games and live audio.",
  },
  {
    question: "Draft a polite reminder about an invoice that is two weeks overdue",
    answer:
      "Hi Sam,\n\nA quick reminder that invoice #1042 (due 14 March) is still open. Could you let me know when we can expect payment, or whether anything is holding it up?\n\nThanks a lot,\nAlex",
  },
];

/** the calculator question of issue 13: planned into a calculator step that runs the sandbox, then answered from its result */
export const LOAN_QUESTION = "Calculate the monthly payment on a 300,000 loan at 6% over 30 years";
export const LOAN_PAYMENT = "1798.65";

const LOAN_PLAN = {
  steps: [
    { id: "s1", title: "Compute the payment", agent: "calculator", instruction: "Compute the monthly payment of the loan.", dependsOn: [] },
    { id: "s2", title: "Explain the payment", agent: "analyst", instruction: "Explain what an annuity payment is.", dependsOn: [] },
  ],
};

/**
 * The loan question's replies. Its calculator step calls run_javascript with code that first spends 400 ms (the
 * sandbox allows 1 s), so the browser sees the call running before its result; the request after it answers from
 * the tool's result, and the synthesis from the steps' results.
 */
function loanReply(req: FakeChatRequest, all: string): FakeReply {
  if (all.includes(CLASSIFY_MARKER)) return { text: '{"type":"analytical","confidence":0.95}' };
  if (all.includes(PLAN_MARKER)) return { text: JSON.stringify(LOAN_PLAN), tokensPerSecond: 400 };
  if (all.includes(SYNTHESIS_MARKER)) {
    const value = /The result is ([\d.,]+)\./.exec(all)?.[1] ?? "unknown";
    return { tokens: ["The monthly ", "payment is ", `${value}, `, "the same ", "every month ", "for 360 months."], tokensPerSecond: 30 };
  }
  if (req.toolResults.length > 0) return { text: answerFromToolResults(req.toolResults), tokensPerSecond: 60 };
  const tool = req.tools.find((t) => t.name === "run_javascript") ?? req.tools[0];
  if (tool) {
    const code = `const until = Date.now() + 400;\nwhile (Date.now() < until) {}\n${loanPaymentCode(LOAN_QUESTION)}`;
    return { toolCalls: [{ name: tool.name, arguments: { code } }] };
  }
  return { text: "An annuity payment stays the same every month: interest first, principal later.", tokensPerSecond: 60 };
}

function allText(req: FakeChatRequest): string {
  return req.messages.map((m) => (typeof m.content === "string" ? m.content : JSON.stringify(m.content))).join("\n");
}

function lastUser(req: FakeChatRequest): string {
  const m = [...req.messages].reverse().find((x) => x.role === "user");
  return typeof m?.content === "string" ? m.content : "";
}

function numbered(n: number, word = "token", paragraph = 0): string[] {
  return Array.from({ length: n }, (_, i) => `${word}${i + 1}${paragraph > 0 && (i + 1) % paragraph === 0 ? "\n\n" : " "}`);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
// the step prompt reads "<STEP_MARKER> <k> of <n>: <title>."
const stepNumber = new RegExp(`${escapeRegExp(STEP_MARKER)} (\\d+) of`);

export function createFakeModelHandler(): FakeHandler {
  const failedOnce = new Set<string>();
  return (req): FakeReply => {
    const all = allText(req);
    const user = lastUser(req);
    // the reviewer's pass after a synthesis: every claim is one a step made
    if (all.includes(REVIEW_MARKER)) return { text: ALL_SUPPORTED };
    if (all.includes(DOCS_QUESTION)) {
      if (all.includes(CLASSIFY_MARKER)) return { text: '{"type":"analytical","confidence":0.92}' };
      if (all.includes(PLAN_MARKER)) return { text: JSON.stringify({ steps: DOCS_PLAN.map(({ text: _text, ...step }) => step) }), tokensPerSecond: 400 };
      if (all.includes(STEP_MARKER)) {
        const which = Number(stepNumber.exec(all)?.[1] ?? 1);
        return { text: DOCS_PLAN[which - 1]?.text ?? DOCS_PLAN[0]!.text, tokensPerSecond: 60 };
      }
      // the synthesis, or the answer itself should the route ever give the question one pass
      return { text: DOCS_ANSWER, tokensPerSecond: 60 };
    }
    if (all.includes(LOAN_QUESTION)) return loanReply(req, all);
    const earlier = DOCS_HISTORY.find((h) => h.question === user);
    if (earlier && !all.includes(CLASSIFY_MARKER)) return { text: earlier.answer, tokensPerSecond: 200 };
    if (all.includes(CLASSIFY_MARKER)) return { text: '{"type":"conversational","confidence":0.9}' };
    if (all.includes(PLAN_MARKER)) {
      return {
        text: JSON.stringify({
          steps: [
            { id: "s1", title: "Gather the facts", instruction: "List the relevant facts.", dependsOn: [] },
            { id: "s2", title: "Compare the options", instruction: "Compare them.", dependsOn: ["s1"] },
          ],
        }),
        tokensPerSecond: 400,
      };
    }
    if (all.includes(STEP_MARKER)) {
      const which = stepNumber.exec(all)?.[1] ?? "?";
      if (all.includes(SCENARIOS.steadySteps)) return { tokens: steadyStepText(which).split(/(?<= )/), tokensPerSecond: 20 };
      return { tokens: [`Step ${which} result: `, ...numbered(12, `finding${which}.`)], tokensPerSecond: 40 };
    }
    if (all.includes(SYNTHESIS_MARKER)) return { tokens: ["Synthesis: ", ...numbered(15, "conclusion")], tokensPerSecond: 40 };

    if (user.includes(SCENARIOS.brief)) return { text: "Noted.", tokensPerSecond: 0 };
    if (user.includes(SCENARIOS.xss)) return { text: XSS_ANSWER, tokensPerSecond: 200 };
    if (user.includes(SCENARIOS.markdown)) return { text: MARKDOWN_ANSWER, tokensPerSecond: 200 };
    if (user.includes(SCENARIOS.fast)) {
      // paragraphs of 50 words, with a code block in the middle, like a long real answer
      const words = numbered(1000, "w", 50);
      words.splice(500, 0, "```ts\n", "const x = 1;\n", "```\n\n");
      return { tokens: words, tokensPerSecond: 500 };
    }
    if (user.includes(SCENARIOS.steady)) return { tokens: STEADY_ANSWER.split(/(?<= )/), tokensPerSecond: 20 };
    if (user.includes(SCENARIOS.slow)) return { tokens: numbered(400, "slow"), tokensPerSecond: 15 };
    if (user.includes(SCENARIOS.badKey)) return { error: { status: 401, message: "Incorrect API key provided: sk-test****." } };
    if (user.includes(SCENARIOS.failOnce) && !failedOnce.has(user)) {
      failedOnce.add(user);
      return { error: { status: 503, message: "The upstream model is overloaded (fake 503)." } };
    }
    return { tokens: ["You ", "said: ", ...user.split(/(?<=\s)/), " — ", ...numbered(30)], tokensPerSecond: 30 };
  };
}
