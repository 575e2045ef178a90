import type { ServerResponse } from "node:http";
import type { FakeFlavourResponse } from "./fake-flavour.js";
import type { FakeHttpError } from "./fake-handler.js";
import type { FakeRequestRecord } from "./fake-request-record.js";

// Every write goes through here so the record tells the status and the first byte's time.

export function sendJson(res: ServerResponse, record: FakeRequestRecord, status: number, body: unknown, headers: Record<string, string> = {}): void {
  if (res.destroyed) return;
  record.status = status;
  record.firstByteAt ??= Date.now();
  res.writeHead(status, { "content-type": "application/json", "x-request-id": `req_${record.index}`, ...headers });
  res.end(JSON.stringify(body));
}

/** A flavour's answer: JSON, or plain text the way Ollama and vLLM's /health answer. */
export function sendFlavourResponse(res: ServerResponse, record: FakeRequestRecord, response: FakeFlavourResponse): void {
  if (response.text === undefined) {
    sendJson(res, record, response.status, response.json);
    return;
  }
  if (res.destroyed) return;
  record.status = response.status;
  record.firstByteAt ??= Date.now();
  res.writeHead(response.status, { "content-type": "text/plain; charset=utf-8" });
  res.end(response.text);
}

/** An error in OpenAI's shape, with the retry headers the SDKs read. */
export function sendHttpError(res: ServerResponse, record: FakeRequestRecord, error: FakeHttpError): void {
  const headers: Record<string, string> = {};
  if (error.retryAfter !== undefined) headers["retry-after"] = String(error.retryAfter);
  if (error.retryAfterMs !== undefined) headers["retry-after-ms"] = String(error.retryAfterMs);
  sendJson(
    res,
    record,
    error.status,
    { error: { message: error.message, type: error.type ?? errorTypeFor(error.status), param: error.param ?? null, code: error.code ?? null } },
    headers,
  );
}

/** Writes part of a body; resolves once it was handed to the socket. */
export function writeText(res: ServerResponse, record: FakeRequestRecord, text: string): Promise<void> {
  if (res.destroyed) return Promise.resolve();
  record.firstByteAt ??= Date.now();
  return new Promise((resolve) => res.write(text, () => resolve()));
}

function errorTypeFor(status: number): string {
  if (status === 401) return "invalid_request_error";
  if (status === 429) return "rate_limit_error";
  if (status >= 500) return "server_error";
  return "invalid_request_error";
}
