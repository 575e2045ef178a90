import type { ToolCall } from "./chat-message.js";

/** One entry of a streamed `delta.tool_calls`, as servers really send it (every field may be missing). */
export interface ToolCallFragment {
  index?: number | null;
  id?: string | null;
  type?: string | null;
  function?: { name?: string | null; arguments?: unknown } | null;
}

interface Building {
  id: string;
  name: string;
  arguments: string;
}

/**
 * Puts streamed tool calls back together. OpenAI, vLLM and llama.cpp send a call's index, id and name in its first
 * fragment and the arguments' text in pieces after it; Ollama sends each call whole in one chunk; some servers
 * send no index (a new id then starts a new call) or no id at all (one is made: `call_<n>`).
 */
export class ToolCallAssembler {
  readonly #calls: Building[] = [];
  readonly #byIndex = new Map<number, Building>();

  get size(): number {
    return this.#calls.length;
  }

  push(fragments: readonly ToolCallFragment[] | null | undefined): void {
    for (const fragment of fragments ?? []) this.#add(fragment);
  }

  #add(fragment: ToolCallFragment): void {
    const id = typeof fragment.id === "string" && fragment.id ? fragment.id : "";
    const name = typeof fragment.function?.name === "string" ? fragment.function.name : "";
    const args = fragment.function?.arguments;
    const call = this.#callFor(fragment.index, id, name);
    if (id && !call.id) call.id = id;
    // a name comes whole in the first fragment; a server that repeats it must not double it
    if (name && call.name !== name) call.name = call.name && !call.arguments ? call.name + name : call.name || name;
    if (typeof args === "string") call.arguments += args;
    else if (args !== undefined && args !== null) call.arguments = JSON.stringify(args);
  }

  #callFor(index: number | null | undefined, id: string, name: string): Building {
    const known = typeof index === "number" ? this.#byIndex.get(index) : this.#calls.at(-1);
    // a fragment with another id is another call, even under a reused index (servers that send every call as index 0)
    const other = known !== undefined && id !== "" && known.id !== "" && id !== known.id;
    // without index or id, a named fragment after a whole call starts the next one
    const next = typeof index !== "number" && known !== undefined && id === "" && name !== "" && known.name !== "" && known.arguments !== "";
    if (known && !other && !next) return known;
    const call = { id: "", name: "", arguments: "" };
    if (typeof index === "number") this.#byIndex.set(index, call);
    this.#calls.push(call);
    return call;
  }

  /** The whole calls, in order: those without a name are dropped, a missing id is made up, empty arguments are `{}`. */
  finish(): ToolCall[] {
    const used = new Set(this.#calls.map((c) => c.id).filter(Boolean));
    let next = 0;
    const madeId = () => {
      while (used.has(`call_${next}`)) next += 1;
      used.add(`call_${next}`);
      return `call_${next}`;
    };
    return this.#calls
      .filter((c) => c.name !== "")
      .map((c) => ({ id: c.id || madeId(), name: c.name, arguments: c.arguments.trim() === "" ? "{}" : c.arguments }));
  }
}
