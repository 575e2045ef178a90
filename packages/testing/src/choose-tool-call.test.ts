import { evaluateScript } from "@alma/tools";
import { describe, expect, it } from "vitest";
import { arithmeticExpression, chooseToolCall, keyWords, loanPaymentCode } from "./choose-tool-call.js";
import type { FakeOfferedTool } from "./fake-handler.js";

const calculate: FakeOfferedTool = { name: "calculate", description: "", parameters: { type: "object", properties: { code: { type: "string" } } } };
const search: FakeOfferedTool = { name: "search_documents", description: "", parameters: { type: "object", properties: { query: { type: "string" } } } };

async function run(code: string | null) {
  const outcome = await evaluateScript(code ?? "");
  if (!outcome.ok) throw new Error(outcome.error.message);
  return outcome.value;
}

describe("loanPaymentCode", () => {
  it("reads principal, rate and term in the ways people write them, and the sandbox pays to the cent", async () => {
    expect(await run(loanPaymentCode("Calculate the monthly payment on a 300,000 loan at 6% over 30 years"))).toBe(1798.65);
    expect(await run(loanPaymentCode("What would I pay on a $250k mortgage at 4.5% interest for 15 years?"))).toBe(1912.48);
    expect(await run(loanPaymentCode("a 12000 car loan at 0% over 48 months"))).toBe(250);
    expect(loanPaymentCode("What is a loan?")).toBeNull();
  });
});

describe("arithmeticExpression", () => {
  it("finds the longest expression, as JavaScript, and takes no date or range for one", () => {
    expect(arithmeticExpression("What is 3 + 4 * (2 - 1)? Or 1 + 1?")).toBe("3 + 4 * (2 - 1)");
    expect(arithmeticExpression("2^8 × 3 ÷ 4")).toBe("2**8 * 3 / 4");
    expect(arithmeticExpression("the war of 1939-1945, on 05/01/2024")).toBeNull();
    expect(arithmeticExpression("no numbers here")).toBeNull();
  });
});

describe("chooseToolCall", () => {
  it("prefers the calculator for a computation and the search for a question, and calls nothing it cannot", () => {
    expect(chooseToolCall("What is 6 * 7?", [search, calculate])).toEqual({ name: "calculate", arguments: { code: "6 * 7" } });
    expect(chooseToolCall("Who repaired the foghorn in 1911?", [search, calculate])).toEqual({
      name: "search_documents",
      arguments: { query: "repaired foghorn 1911" },
    });
    expect(chooseToolCall("Who repaired the foghorn?", [calculate])).toBeNull();
    expect(chooseToolCall("[[loop forever]]", [search])).toEqual({ name: "search_documents", arguments: { query: "loop forever" } });
  });

  it("keeps the key words of a question once each, without the words of asking", () => {
    expect(keyWords("Please find in the attached document: what did the keeper's daughter repair? The daughter!")).toEqual(["keeper", "daughter", "repair"]);
  });
});
