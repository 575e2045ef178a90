import type { FakeOpenAIOptions, FakeOpenAIServers } from "@alma/testing";
import type { ChatMessage } from "../chat-message.js";
import { OpenAIChatModel, type OpenAIChatModelOptions } from "../openai-chat-model.js";

export const question: ChatMessage[] = [
  { role: "system", content: "Answer briefly." },
  { role: "user", content: "Say hello" },
];

/** `setup(serverOptions, modelOptions)`: a gpt-4o-mini OpenAIChatModel (key sk-test) on a new fake server from `servers`. */
export function fakeOpenAIModels(servers: FakeOpenAIServers) {
  return async (serverOptions: FakeOpenAIOptions = {}, modelOptions: OpenAIChatModelOptions = {}) => {
    const server = await servers.start(serverOptions);
    const model = new OpenAIChatModel({ baseURL: server.url, apiKey: "sk-test", model: "gpt-4o-mini", ...modelOptions });
    return { server, model };
  };
}
