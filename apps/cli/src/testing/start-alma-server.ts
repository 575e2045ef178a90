import { buildApp, loadConfig } from "@alma/server";
import { startFakeOpenAI, type FakeOpenAIServer } from "@alma/testing";

export const TOKENS = ["One", " two", " three", " four", " five", " six", " seven", " eight", " nine", " ten"];

export interface TestAlmaServer {
  /** http://127.0.0.1:port, what a user passes to --server */
  url: string;
  upstream: FakeOpenAIServer;
  close(): Promise<void>;
}

/**
 * The real server (WebSocket, run hub, agent, SQLite in memory) on 127.0.0.1 against a fake OpenAI-compatible
 * upstream that streams TOKENS: slowly (20 tok/s) for a question with "slowly", a 401 for one with "fail".
 */
export async function startAlmaServer(env: Record<string, string> = {}): Promise<TestAlmaServer> {
  const upstream = await startFakeOpenAI({
    handler: (request) => {
      const last = [...request.messages].reverse().find((m) => m.role === "user");
      const content = typeof last?.content === "string" ? last.content : "";
      if (content.includes("slowly")) return { tokens: TOKENS, tokensPerSecond: 20 };
      if (content.includes("fail")) return { error: { status: 401, message: "Incorrect API key provided" } };
      return { tokens: TOKENS };
    },
  });
  const config = loadConfig({
    ALMA_PROVIDER: "openai",
    OPENAI_BASE_URL: upstream.url,
    OPENAI_API_KEY: "sk-test",
    OPENAI_MODEL: "gpt-4o-mini",
    ALMA_DB_PATH: ":memory:",
    LOG_LEVEL: "silent",
    ALMA_PROVIDER_MAX_RETRIES: "0",
    ...env,
  });
  const app = await buildApp({ config, logger: false });
  await app.listen({ host: "127.0.0.1", port: 0 });
  const address = app.server.address();
  if (!address || typeof address === "string") throw new Error("expected a TCP address");
  return {
    url: `http://127.0.0.1:${address.port}`,
    upstream,
    async close() {
      await app.close();
      await upstream.close();
    },
  };
}

/** the conversation id from the line an ask ends stderr with */
export function conversationOf(stderr: string): string {
  const match = /alma: conversation (\S+) \(continue with --conversation \1\)\n$/.exec(stderr);
  if (!match) throw new Error(`no conversation line at the end of stderr: ${JSON.stringify(stderr)}`);
  return match[1]!;
}

/** every line of stdout as JSON; throws naming the first line that is not */
export function jsonLines(stdout: string): (Record<string, unknown> & { type: string })[] {
  if (stdout !== "" && !stdout.endsWith("\n")) throw new Error("stdout does not end with a newline");
  return stdout
    .split("\n")
    .slice(0, -1)
    .map((line, i) => {
      try {
        return JSON.parse(line) as Record<string, unknown> & { type: string };
      } catch {
        throw new Error(`stdout line ${i + 1} is not JSON: ${JSON.stringify(line)}`);
      }
    });
}
