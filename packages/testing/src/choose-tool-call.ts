import type { FakeOfferedTool, FakeToolCall } from "./fake-handler.js";

/** the names the calculator goes by (`calculate` in @alma/tools) */
const CALCULATOR_NAMES = ["calculate", "run_javascript"];
const SEARCH_NAMES = ["search_documents"];

/** Bad-input markers: a test writes one into a message to make the fake model misbehave. */
export const TOOL_MARKERS = {
  missingTool: "[[call missing tool]]",
  badJson: "[[call with bad json]]",
  loopForever: "[[loop forever]]",
} as const;

/** arguments that are not JSON (a call cut mid-way) */
export const BAD_JSON_ARGUMENTS = '{"code": "1 +';

function hasProperty(tool: FakeOfferedTool, name: string): boolean {
  const properties = tool.parameters.properties;
  return typeof properties === "object" && properties !== null && name in properties;
}

/** the offered calculator: by name, else a tool that takes `code` */
export function calculatorTool(tools: readonly FakeOfferedTool[]): FakeOfferedTool | undefined {
  return tools.find((t) => CALCULATOR_NAMES.includes(t.name)) ?? tools.find((t) => hasProperty(t, "code"));
}

/** the offered document search: by name, else a tool that takes `query` */
export function searchTool(tools: readonly FakeOfferedTool[]): FakeOfferedTool | undefined {
  return tools.find((t) => SEARCH_NAMES.includes(t.name)) ?? tools.find((t) => hasProperty(t, "query"));
}

/**
 * The call a capable model would make for `text` (the question or step instruction, then the system prompt) with
 * these tools, or null when none fits: the bad-input markers first, then a loan's payment or an arithmetic
 * expression for the calculator, then a search of the documents with the text's key words.
 */
export function chooseToolCall(text: string, tools: readonly FakeOfferedTool[]): FakeToolCall | null {
  const calculator = calculatorTool(tools);
  const search = searchTool(tools);
  if (text.includes(TOOL_MARKERS.missingTool)) return { name: "no_such_tool", arguments: {} };
  if (text.includes(TOOL_MARKERS.badJson) && tools[0]) return { name: tools[0].name, arguments: BAD_JSON_ARGUMENTS };
  if (text.includes(TOOL_MARKERS.loopForever) && calculator) return { name: calculator.name, arguments: { code: "while (true) {}" } };
  if (calculator) {
    const code = loanPaymentCode(text) ?? arithmeticExpression(text);
    if (code !== null) return { name: calculator.name, arguments: { code } };
  }
  if (search) {
    const query = keyWords(text).join(" ");
    if (query) return { name: search.name, arguments: { query } };
  }
  return null;
}

const NUMBER = String.raw`(\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)`;
// "<principal> loan at <rate>% over <n> years": "a 300,000 loan at 6% over 30 years", "a $250k mortgage at 4.5% interest for 15 years"
const LOAN = new RegExp(
  String.raw`[$€£]?\s*${NUMBER}\s*(k|thousand|m|million)?\b[^.?!\d]{0,40}?\b(?:loan|mortgage)\b[^.?!\d]{0,20}?\bat\s+${NUMBER}\s*%[^.?!\d]{0,40}?\b(?:over|for)\s+${NUMBER}\s*(years?|months?)`,
  "i",
);
const SCALE: Record<string, number> = { k: 1e3, thousand: 1e3, m: 1e6, million: 1e6 };

/** JavaScript for the monthly annuity payment `P*r/(1-(1+r)**-n)` of a loan the text describes, rounded to cents; null when it names none. */
export function loanPaymentCode(text: string): string | null {
  const match = LOAN.exec(text);
  if (!match) return null;
  const [, amount, scale, rate, term, unit] = match;
  const principal = Number(amount!.replaceAll(",", "")) * (scale ? (SCALE[scale.toLowerCase()] ?? 1) : 1);
  const months = unit!.toLowerCase().startsWith("month") ? `${Number(term)}` : `${Number(term)} * 12`;
  return [
    `const principal = ${principal};`,
    `const monthlyRate = ${Number(rate)} / 100 / 12;`,
    `const months = ${months};`,
    "const payment = monthlyRate === 0 ? principal / months : (principal * monthlyRate) / (1 - (1 + monthlyRate) ** -months);",
    "Math.round(payment * 100) / 100",
  ].join("\n");
}

const OPERAND = String.raw`(?:\(\s*)*-?\d+(?:\.\d+)?(?:\s*\))*`;
const EXPRESSION = new RegExp(String.raw`${OPERAND}(?:\s*(?:\*\*|[-+*/%^×÷])\s*${OPERAND})+`, "g");
const DATE = /^\d{1,4}([-/.])\d{1,2}\1\d{1,4}$/;

/** The longest arithmetic expression in the text, as JavaScript ("2^10" as "2 ** 10"); null when there is none. */
export function arithmeticExpression(text: string): string | null {
  let best: string | null = null;
  for (const [found] of text.matchAll(EXPRESSION)) {
    const expression = balanceParentheses(found.trim());
    // "2019-2020" and "05/01/2024" are a range and a date, not sums
    if (DATE.test(expression) || /^\d+-\d+$/.test(expression)) continue;
    if (best === null || expression.length > best.length) best = expression;
  }
  if (best === null) return null;
  return best.replaceAll("×", "*").replaceAll("÷", "/").replace(/\^/g, "**");
}

function balanceParentheses(expression: string): string {
  let text = expression;
  const count = (c: string) => [...text].filter((x) => x === c).length;
  while (count("(") > count(")") && text.startsWith("(")) text = text.slice(1).trim();
  while (count(")") > count("(") && text.endsWith(")")) text = text.slice(0, -1).trim();
  return text;
}

// words that say nothing of what is asked, and the words of asking itself
const STOP_WORDS = new Set(
  (
    "a an and are as at be been but by can could did do does for from had has have how i if in into is it its me my of on or our so than that the their them then there these they this to was we were what when where which who whom why will with would you your " +
    "about according answer attached cite document documents file files find give look please quote say says search show tell text using use"
  ).split(" "),
);

/** The text's key words, in order, once each (at most 12): what a model would search for. */
export function keyWords(text: string): string[] {
  const words = text.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N}'’-]*/gu) ?? [];
  const kept: string[] = [];
  for (const raw of words) {
    const word = raw.replace(/['’]s$/, "").replace(/['’-]+$/, "");
    if (word.length < 2 || STOP_WORDS.has(word) || kept.includes(word)) continue;
    kept.push(word);
    if (kept.length === 12) break;
  }
  return kept;
}
