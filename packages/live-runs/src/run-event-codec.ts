import { type RunEvent, runEventSchema } from "@alma/protocol";

/**
 * A run event as a stream entry. The entry id is derived from the index (`0-(index+1)`), so the stream is ordered
 * by index, "after index i" is the id `0-(i+1)`, and writing an index twice (a resend after a reconnect, or a
 * survivor and a late owner racing) is refused by Redis instead of duplicating it.
 */
export function entryId(index: number): string {
  return `0-${index + 1}`;
}

/** the id to read after: XREAD/XRANGE exclusive start for "every event after `afterIndex`" */
export function afterId(afterIndex: number): string {
  return `0-${afterIndex + 1}`;
}

export function entryFields(event: RunEvent): [string, string, string, string] {
  return ["index", String(event.index), "event", JSON.stringify(event)];
}

/** Parses and validates one entry (Redis is an edge: what another instance wrote is checked like any input). */
export function decodeEntry(runId: string, id: string, fields: readonly string[]): RunEvent {
  let json: string | undefined;
  let index: string | undefined;
  for (let i = 0; i + 1 < fields.length; i += 2) {
    if (fields[i] === "event") json = fields[i + 1];
    else if (fields[i] === "index") index = fields[i + 1];
  }
  if (json === undefined || index === undefined) throw new Error(`run ${runId}: stream entry ${id} has no index or event field`);
  const event = runEventSchema.parse(JSON.parse(json));
  if (event.runId !== runId || String(event.index) !== index || entryId(event.index) !== id) {
    throw new Error(`run ${runId}: stream entry ${id} holds event ${event.runId}#${event.index}, which does not belong there`);
  }
  return event;
}

export type StreamEntries = Array<[id: string, fields: string[]]>;

/** XREAD's reply as [key, entries] pairs, whether it came as RESP2 nested arrays or RESP3's flattened map. */
export function streamsOfReply(reply: unknown): Array<[key: string, entries: StreamEntries]> {
  if (reply === null || reply === undefined) return [];
  if (!Array.isArray(reply)) throw new Error(`XREAD gave ${typeof reply}, not an array`);
  if (reply.length > 0 && !Array.isArray(reply[0])) {
    const pairs: Array<[string, StreamEntries]> = [];
    for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([String(reply[i]), reply[i + 1] as StreamEntries]);
    return pairs;
  }
  return reply as Array<[string, StreamEntries]>;
}

export function isDuplicateIdError(err: unknown): boolean {
  return err instanceof Error && /equal or smaller than the target stream top item/.test(err.message);
}
