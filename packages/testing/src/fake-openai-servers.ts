import { startFakeOpenAI, type FakeOpenAIOptions, type FakeOpenAIServer } from "./start-fake-openai.js";

export interface FakeOpenAIServers {
  start(options?: FakeOpenAIOptions): Promise<FakeOpenAIServer>;
  /** closes every server started so far (one the test closed itself too: closing twice is harmless); call it in afterEach */
  closeAll(): Promise<void>;
}

/** The fake servers one test file starts, closed together after each test so none outlives it. */
export function fakeOpenAIServers(): FakeOpenAIServers {
  const started: FakeOpenAIServer[] = [];
  return {
    async start(options = {}) {
      const server = await startFakeOpenAI(options);
      started.push(server);
      return server;
    },
    async closeAll() {
      for (const server of started.splice(0)) await server.close();
    },
  };
}
