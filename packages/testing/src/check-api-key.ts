import type { IncomingHttpHeaders } from "node:http";
import type { FakeHttpError } from "./fake-handler.js";

/** null when the request carries `Authorization: Bearer <apiKey>`, else OpenAI's 401 (showing the key masked, as it does). */
export function checkApiKey(headers: IncomingHttpHeaders, apiKey: string): FakeHttpError | null {
  const auth = headers.authorization ?? "";
  const given = auth.startsWith("Bearer ") ? auth.slice("Bearer ".length) : "";
  if (given === apiKey) return null;
  const shown = given ? `${given.slice(0, 3)}*****${given.slice(-4)}` : "(none)";
  return {
    status: 401,
    message: `Incorrect API key provided: ${shown}. You can find your API key at https://platform.openai.com/account/api-keys.`,
    code: "invalid_api_key",
  };
}
