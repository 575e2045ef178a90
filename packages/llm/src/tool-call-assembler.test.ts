import { describe, expect, it } from "vitest";
import { ToolCallAssembler } from "./tool-call-assembler.js";

describe("ToolCallAssembler", () => {
  it("joins OpenAI's fragments by index: id and name first, then the arguments in pieces, calls interleaved", () => {
    const a = new ToolCallAssembler();
    a.push([{ index: 0, id: "call_a", type: "function", function: { name: "calculate", arguments: "" } }]);
    a.push([{ index: 0, function: { arguments: '{"co' } }]);
    a.push([{ index: 1, id: "call_b", type: "function", function: { name: "search_documents", arguments: '{"query":' } }]);
    a.push([{ index: 0, function: { arguments: 'de":"1+1"}' } }]);
    a.push([{ index: 1, function: { arguments: '"foghorn"}' } }]);
    expect(a.finish()).toEqual([
      { id: "call_a", name: "calculate", arguments: '{"code":"1+1"}' },
      { id: "call_b", name: "search_documents", arguments: '{"query":"foghorn"}' },
    ]);
  });

  it("takes whole calls, object arguments, no index (a new id is a new call) and no id (call_<n>)", () => {
    const a = new ToolCallAssembler();
    a.push([{ id: "x1", function: { name: "a", arguments: { n: 1 } } }]);
    a.push([{ id: "x2", function: { name: "b", arguments: "{}" } }]);
    a.push([{ function: { name: "c", arguments: '{"k":' } }]);
    a.push([{ function: { arguments: "2}" } }]);
    a.push([{ function: { name: "d", arguments: "" } }]);
    expect(a.finish()).toEqual([
      { id: "x1", name: "a", arguments: '{"n":1}' },
      { id: "x2", name: "b", arguments: "{}" },
      { id: "call_0", name: "c", arguments: '{"k":2}' },
      { id: "call_1", name: "d", arguments: "{}" },
    ]);
  });

  it("tells calls apart that a server sends all under index 0, keeps a repeated name single, and drops nameless fragments", () => {
    const a = new ToolCallAssembler();
    a.push([{ index: 0, id: "call_0", function: { name: "a", arguments: "{}" } }]);
    a.push([{ index: 0, id: "call_1", function: { name: "b", arguments: "" } }]);
    a.push([{ index: 0, function: { name: "b", arguments: '{"x":1}' } }]);
    a.push([{ index: 3, function: { arguments: "orphan" } }]);
    expect(a.size).toBe(3);
    expect(a.finish()).toEqual([
      { id: "call_0", name: "a", arguments: "{}" },
      { id: "call_1", name: "b", arguments: '{"x":1}' },
    ]);
  });
});
