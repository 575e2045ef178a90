import type { ContextWindowInfo } from "@alma/protocol";
import { getLlama, LlamaLogLevel, type Llama, type LlamaChat, type LlamaContext, type LlamaModel } from "node-llama-cpp";

let sharedLlama: Promise<Llama> | null = null;

// One llama.cpp binding per process: loading it is slow and it owns native resources.
export function loadLlama(): Promise<Llama> {
  sharedLlama ??= getLlama({ gpu: false, build: "never", logLevel: LlamaLogLevel.error }).catch((e: unknown) => {
    sharedLlama = null;
    throw e;
  });
  return sharedLlama;
}

/** A model loaded with its one context and chat. */
export interface Loaded {
  llama: Llama;
  model: LlamaModel;
  context: LlamaContext;
  chat: LlamaChat;
}

/** The loaded context's size as the model's window. */
export function engineWindow(tokens: number): ContextWindowInfo {
  return { tokens, source: "engine", detail: "node-llama-cpp: the loaded context size (ALMA_CONTEXT_SIZE sets it)", server: "local" };
}
