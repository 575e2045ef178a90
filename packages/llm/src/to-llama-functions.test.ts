import {
  AlpacaChatWrapper,
  ChatMLChatWrapper,
  FunctionaryChatWrapper,
  GeneralChatWrapper,
  JinjaTemplateChatWrapper,
  Llama2ChatWrapper,
  Llama3_1ChatWrapper,
  MistralChatWrapper,
  QwenChatWrapper,
} from "node-llama-cpp";
import { describe, expect, it } from "vitest";
import { chatWrapperCallsFunctions, toGbnfJsonSchema, toLlamaFunctions } from "./to-llama-functions.js";

// the calculator's and the researcher's arguments as @alma/tools writes them (z.toJSONSchema)
const calculatorParameters = {
  type: "object",
  properties: { code: { type: "string", minLength: 1, maxLength: 20000, description: "JavaScript" } },
  required: ["code"],
  additionalProperties: false,
};
const searchParameters = {
  type: "object",
  properties: {
    query: { type: "string", minLength: 1, maxLength: 500 },
    limit: { type: "integer", minimum: 1, maximum: 10, description: "how many passages" },
  },
  required: ["query"],
  additionalProperties: false,
};

describe("toLlamaFunctions", () => {
  it("passes the tools' schemas through in the grammar's terms, dropping what it has no rule for", () => {
    expect(
      toLlamaFunctions([
        { name: "calculate", description: "Evaluate JavaScript", parameters: calculatorParameters },
        { name: "search_documents", description: "Search", parameters: searchParameters },
      ]),
    ).toEqual({
      calculate: {
        description: "Evaluate JavaScript",
        params: { type: "object", properties: { code: { type: "string", minLength: 1, maxLength: 20000, description: "JavaScript" } }, required: ["code"] },
      },
      search_documents: {
        description: "Search",
        params: {
          type: "object",
          properties: { query: { type: "string", minLength: 1, maxLength: 500 }, limit: { type: "integer", description: "how many passages" } },
          required: ["query"],
        },
      },
    });
  });

  it("turns anyOf into oneOf, keeps enums, consts, arrays and formats, and lets an open schema hold anything", () => {
    expect(toGbnfJsonSchema({ anyOf: [{ type: "string" }, { type: "null" }] })).toEqual({ oneOf: [{ type: "string" }, { type: "null" }] });
    expect(toGbnfJsonSchema({ type: "string", enum: ["a", "b"] })).toEqual({ enum: ["a", "b"] });
    expect(toGbnfJsonSchema({ const: 3 })).toEqual({ const: 3 });
    expect(toGbnfJsonSchema({ type: "array", items: { type: "number" }, maxItems: 3 })).toEqual({ type: "array", items: { type: "number" }, maxItems: 3 });
    expect(toGbnfJsonSchema({ type: "string", format: "date" })).toEqual({ type: "string", format: "date" });
    expect(toGbnfJsonSchema({ type: ["string", "null"] })).toEqual({ type: ["string", "null"] });
    const open = toGbnfJsonSchema({});
    expect(open).toEqual(toGbnfJsonSchema({ $ref: "#/$defs/x" }));
    expect(open).toHaveProperty("oneOf");
    expect(toGbnfJsonSchema({ type: "object", additionalProperties: { type: "number" } })).toEqual({
      type: "object",
      properties: {},
      required: [],
      additionalProperties: { type: "number" },
    });
  });
});

describe("chatWrapperCallsFunctions", () => {
  it("is true for the formats with their own function calling, false for the generic ones", () => {
    for (const wrapper of [new Llama3_1ChatWrapper(), new QwenChatWrapper(), new FunctionaryChatWrapper(), new MistralChatWrapper()]) {
      expect(chatWrapperCallsFunctions(wrapper), wrapper.wrapperName).toBe(true);
    }
    const chatml = "{% for message in messages %}<|im_start|>{{ message.role }}\n{{ message.content }}<|im_end|>\n{% endfor %}<|im_start|>assistant\n";
    for (const wrapper of [
      new GeneralChatWrapper(),
      new ChatMLChatWrapper(),
      new Llama2ChatWrapper(),
      new AlpacaChatWrapper(),
      new JinjaTemplateChatWrapper({ template: chatml }),
    ]) {
      expect(chatWrapperCallsFunctions(wrapper), wrapper.wrapperName).toBe(false);
    }
  });
});
