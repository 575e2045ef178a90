import type { FastifyError, FastifyReply, FastifyRequest } from "fastify";
import { hasZodFastifySchemaValidationErrors } from "fastify-type-provider-zod";

/** The server's HTTP error body: a code a client can branch on and words a person can act on. */
export interface HttpErrorBody {
  error: string;
  message: string;
}

type RequestPart = "params" | "querystring" | "body" | "headers";

const PARTS: Record<RequestPart, { code: string; label: string; advice: string }> = {
  params: { code: "invalid_params", label: "URL", advice: "Correct the URL and send the request again." },
  querystring: { code: "invalid_query", label: "query string", advice: "Correct the query string and send the request again." },
  body: { code: "invalid_body", label: "request body", advice: "Correct the JSON body and send the request again." },
  headers: { code: "invalid_headers", label: "headers", advice: "Correct the headers and send the request again." },
};

/** the names a route's zod object schema accepts for that part, so a refusal of an unknown one can list them */
function acceptedNames(schema: unknown): string[] {
  // an optional or defaulted object (a body that may be left out) names its inner object's keys
  let object = schema as { unwrap?: () => unknown; shape?: unknown } | undefined;
  for (let depth = 0; depth < 3 && typeof object?.unwrap === "function"; depth++) object = object.unwrap() as typeof object;
  const shape = object?.shape;
  return typeof shape === "object" && shape !== null ? Object.keys(shape) : [];
}

/**
 * Route input is declared as zod schemas (fastify-type-provider-zod); when a request does not match, this
 * answers 400 with the server's error body: which part and field were wrong, why, and what to do. Every
 * other error goes on to Fastify's own handler (rate limits keep their 429, and so on).
 */
export function httpErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  if (!hasZodFastifySchemaValidationErrors(error)) throw error;
  const part: RequestPart = (error.validationContext as RequestPart | undefined) ?? "body";
  const { code, label, advice } = PARTS[part] ?? PARTS.body;
  const names = error.validation.map((issue) => issue.instancePath.split("/").filter(Boolean)[0]);
  // a bad URL parameter is named in the code (invalid_id), as a client knows its route's parameters
  const only = part === "params" && names.every((n) => n !== undefined && n === names[0]) ? names[0] : undefined;
  const accepted = acceptedNames(request.routeOptions.schema?.[part]);
  const issues = error.validation.map((issue) => {
    const path = issue.instancePath.split("/").filter(Boolean).join(".");
    const unknown = issue.keyword === "unrecognized_keys" ? ` (accepted: ${accepted.length ? accepted.join(", ") : "none"})` : "";
    return `${path ? `${path}: ` : ""}${issue.message}${unknown}`;
  });
  const body: HttpErrorBody = { error: only ? `invalid_${only}` : code, message: `Invalid ${label}: ${issues.join("; ")}. ${advice}` };
  return reply.code(400).send(body);
}
