import { describe, expect, it } from "vitest";
import { z } from "zod";
import { jsonToolInstructions, jsonToolResultMessage, parseJsonToolCall } from "./json-tool-convention.js";
import { defineTool } from "./tool-definition.js";
import { ToolRegistry } from "./tool-registry.js";

const names = ["calculate", "search_documents"];

describe("parseJsonToolCall", () => {
  it("reads a call on its own", () => {
    const reply = '{"tool": "calculate", "arguments": {"code": "1 + 1"}}';
    expect(parseJsonToolCall(reply, { toolNames: names })).toEqual({
      status: "call",
      tool: "calculate",
      arguments: { code: "1 + 1" },
      start: 0,
      end: reply.length,
      before: "",
      after: "",
    });
  });

  it("finds a call between prose and in a code fence, braces inside strings included", () => {
    const text = 'Let me compute that.\n```json\n{"tool": "calculate", "arguments": {"code": "({a: \\"}\\"}).a"}}\n```\nDone.';
    const parsed = parseJsonToolCall(text, { toolNames: names });
    expect(parsed).toMatchObject({ status: "call", tool: "calculate", arguments: { code: '({a: "}"}).a' }, before: "Let me compute that.", after: "Done." });
  });

  it("accepts the spellings small models use: name / parameters, and no arguments", () => {
    expect(parseJsonToolCall('{"name": "calculate", "parameters": {"code": "2"}}')).toMatchObject({
      status: "call",
      tool: "calculate",
      arguments: { code: "2" },
    });
    expect(parseJsonToolCall('{"tool": "search_documents"}')).toMatchObject({ status: "call", arguments: {} });
    // an object with a name but no arguments is data, not a call
    expect(parseJsonToolCall('Here is the record: {"name": "Ada", "age": 36}')).toEqual({ status: "none" });
  });

  it("says there was no call in plain prose", () => {
    expect(parseJsonToolCall("The payment is 1798.65 a month.")).toEqual({ status: "none" });
    expect(parseJsonToolCall("")).toEqual({ status: "none" });
  });

  it("reports malformed JSON, a cut-off call, a bad shape and an unknown tool", () => {
    const malformed = parseJsonToolCall('{"tool": "calculate", "arguments": {code: 1}}');
    expect(malformed).toMatchObject({ status: "invalid", error: { code: "invalid_json" } });
    expect(parseJsonToolCall('{"tool": "calculate", "arguments": {"code": "1"')).toMatchObject({
      status: "invalid",
      error: { code: "invalid_json", message: /cut off/ },
    });
    expect(parseJsonToolCall('{"tool": "calculate", "arguments": "1+1"}')).toMatchObject({ status: "invalid", error: { code: "invalid_call" } });
    expect(parseJsonToolCall('{"tool": 3, "arguments": {}}')).toMatchObject({ status: "invalid", error: { code: "invalid_call" } });
    expect(parseJsonToolCall('{"tool": "browse_web", "arguments": {}}', { toolNames: names })).toEqual({
      status: "invalid",
      error: { code: "unknown_tool", message: 'There is no tool named "browse_web". The tools are: calculate, search_documents.' },
    });
  });

  it("while streaming, says a call is forming and names its tool once the name is whole", () => {
    const streaming = { final: false };
    expect(parseJsonToolCall("{", streaming)).toEqual({ status: "partial" });
    expect(parseJsonToolCall('{"to', streaming)).toEqual({ status: "partial" });
    expect(parseJsonToolCall('{"tool": "calcu', streaming)).toEqual({ status: "partial", tool: undefined });
    expect(parseJsonToolCall('{"tool": "calculate", "arguments": {"co', streaming)).toEqual({ status: "partial", tool: "calculate" });
    expect(parseJsonToolCall("The answer is", streaming)).toEqual({ status: "none" });
  });
});

describe("jsonToolInstructions", () => {
  it("lists each tool with its schema and states the exact reply format", () => {
    const tool = defineTool({ name: "calculate", description: "Evaluate JavaScript.", parameters: z.object({ code: z.string() }), run: () => 1 });
    const text = jsonToolInstructions(new ToolRegistry([tool]).toOpenAITools());
    expect(text).toContain("- calculate: Evaluate JavaScript.");
    expect(text).toContain('arguments (JSON Schema): {"type":"object","properties":{"code":{"type":"string"}},"required":["code"]');
    expect(text).toContain('{"tool": "<tool name>", "arguments": { ... }}');
    expect(jsonToolResultMessage("calculate", "Result: 2")).toBe("Tool result (calculate):\nResult: 2");
  });

  it("round-trips: a reply in the convention runs through the registry like a native call", async () => {
    const tool = defineTool({ name: "calculate", description: "Adds.", parameters: z.object({ a: z.number(), b: z.number() }), run: ({ a, b }) => a + b });
    const registry = new ToolRegistry([tool]);
    const parsed = parseJsonToolCall('{"tool": "calculate", "arguments": {"a": 2, "b": 3}}', { toolNames: registry.names() });
    expect(parsed.status).toBe("call");
    if (parsed.status !== "call") return;
    const result = await registry.callTool(parsed.tool, parsed.arguments, { signal: new AbortController().signal });
    expect(jsonToolResultMessage(parsed.tool, result.toModelText())).toBe("Tool result (calculate):\n5");
  });
});
