import { describe, expect, it } from "vitest";
import { createEstimatingTokenCounter } from "./estimating-token-counter.js";
import { isOpenAIModelName, selectTokenCounter } from "./select-token-counter.js";

describe("selectTokenCounter", () => {
  it("recognises OpenAI model names, with or without a provider prefix, but not gpt-oss", () => {
    for (const name of ["gpt-4o", "openai/gpt-4.1-mini", "o3", "o4-mini", "chatgpt-4o-latest"]) expect(isOpenAIModelName(name)).toBe(true);
    for (const name of ["gpt-oss-20b", "llama3", "omni", "mistral"]) expect(isOpenAIModelName(name)).toBe(false);
  });

  it("prefers the local tokenizer, then exact OpenAI counts, then the estimate", () => {
    const local = { ...createEstimatingTokenCounter(), id: "local:test" };
    expect(selectTokenCounter({ provider: "local", model: "gpt-4o", localCounter: local })).toBe(local);
    expect(selectTokenCounter({ provider: "openai", model: "gpt-4o" }).id).toBe("o200k_base");
    expect(selectTokenCounter({ provider: "openai", model: "gpt-4" }).id).toBe("cl100k_base");
    expect(selectTokenCounter({ provider: "openai", model: "llama3.1:8b" }).id).toBe("estimate");
  });
});
