import { afterEach, describe, expect, it } from "vitest";
import Fastify, { type FastifyInstance } from "fastify";
import { serializerCompiler, validatorCompiler, type ZodTypeProvider } from "fastify-type-provider-zod";
import { z } from "zod";
import { idSchema } from "@alma/protocol";
import { httpErrorHandler } from "./http-error-handler.js";

let app: FastifyInstance | null = null;
afterEach(async () => {
  await app?.close();
  app = null;
});

/** an app wired as buildApp wires it, with one route taking every kind of input */
async function appWithRoute() {
  app = Fastify({ logger: false });
  app.setValidatorCompiler(validatorCompiler);
  app.setSerializerCompiler(serializerCompiler);
  app.setErrorHandler(httpErrorHandler);
  app.withTypeProvider<ZodTypeProvider>().post(
    "/things/:id/:slot",
    {
      schema: {
        params: z.object({ id: idSchema, slot: z.coerce.number().int().min(0) }),
        querystring: z.object({ dryRun: z.enum(["yes", "no"]).optional() }).strict(),
        headers: z.object({ "x-client": z.string().min(1) }),
        body: z.object({ title: z.string().min(1, "the title is empty"), tags: z.array(z.string()).max(2) }).strict(),
      },
    },
    async (request) => ({ id: request.params.id, slot: request.params.slot, title: request.body.title }),
  );
  app.get("/teapot", async () => {
    throw Object.assign(new Error("I am a teapot"), { statusCode: 418 });
  });
  await app.ready();
  return app;
}

const ok = { method: "POST" as const, url: "/things/t1/2", headers: { "x-client": "test" }, payload: { title: "a", tags: [] } };

describe("httpErrorHandler: route input that does not match its zod schema", () => {
  it("lets valid input through, parsed (params coerced)", async () => {
    const res = await (await appWithRoute()).inject(ok);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toEqual({ id: "t1", slot: 2, title: "a" });
  });

  it("names a bad URL parameter in the code and says what it must look like", async () => {
    const res = await (await appWithRoute()).inject({ ...ok, url: "/things/bad%20id/2" });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: "invalid_id",
      message: "Invalid URL: id: ids use letters, digits, _ and -. Correct the URL and send the request again.",
    });
  });

  it("answers invalid_params when several parameters are wrong", async () => {
    const res = await (await appWithRoute()).inject({ ...ok, url: "/things/bad%20id/-1" });
    expect(res.json()).toMatchObject({ error: "invalid_params", message: expect.stringMatching(/^Invalid URL: id: .*; slot: /) });
  });

  it("lists the accepted query parameters when an unknown one is sent", async () => {
    const res = await (await appWithRoute()).inject({ ...ok, url: "/things/t1/2?bogus=1" });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toEqual({
      error: "invalid_query",
      message: 'Invalid query string: Unrecognized key: "bogus" (accepted: dryRun). Correct the query string and send the request again.',
    });
  });

  it("names every bad field of a body, nested ones by their path", async () => {
    const res = await (await appWithRoute()).inject({ ...ok, payload: { title: "", tags: ["a", 3], extra: true } });
    expect(res.statusCode).toBe(400);
    const body = res.json();
    expect(body.error).toBe("invalid_body");
    expect(body.message).toMatch(/^Invalid request body: title: the title is empty; /);
    expect(body.message).toContain("tags.1: ");
    expect(body.message).toContain('Unrecognized key: "extra" (accepted: title, tags)');
    expect(body.message).toMatch(/Correct the JSON body and send the request again\.$/);
  });

  it("refuses missing headers the same way", async () => {
    const res = await (await appWithRoute()).inject({ ...ok, headers: {} });
    expect(res.statusCode).toBe(400);
    expect(res.json()).toMatchObject({ error: "invalid_headers", message: expect.stringContaining("x-client: ") });
  });

  it("leaves every other error to Fastify's own handler", async () => {
    const res = await (await appWithRoute()).inject({ method: "GET", url: "/teapot" });
    expect(res.statusCode).toBe(418);
    expect(res.json()).toMatchObject({ statusCode: 418, message: "I am a teapot" });
  });
});
