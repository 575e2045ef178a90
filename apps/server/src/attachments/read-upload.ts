import type { FastifyRequest } from "fastify";
import type { Multipart } from "@fastify/multipart";
import { formatBytes } from "@alma/tools";

/** One uploaded file, read into memory (at most `maxBytes` of it). */
export interface UploadedFile {
  name: string;
  mediaType: string;
  bytes: Uint8Array;
  /** the file's full size, counted even past `maxBytes` (up to the hard cap) */
  size: number;
}

export type UploadRead = { ok: true; file: UploadedFile } | { ok: false; status: number; error: string; message: string };

/** the field the file comes in (`curl -F file=@notes.md`) */
export const UPLOAD_FIELD = "file";
const MAX_NAME_CHARS = 255;

/** a file name as shown and stored: the base name a browser or curl sent, without control characters */
export function cleanFileName(raw: string): string {
  const base = raw.split(/[\\/]/).pop() ?? "";
  const printable = [...base].filter((ch) => ch.charCodeAt(0) >= 0x20 && ch.charCodeAt(0) !== 0x7f).join("");
  return printable.trim().slice(0, MAX_NAME_CHARS);
}

/**
 * Reads the request's one file (multipart/form-data, field `file`). Bytes past `maxBytes` are counted, not kept, so a
 * refusal can say how large the file is; past `hardCapBytes` the upload is cut and the file called larger than that.
 */
export async function readUpload(request: FastifyRequest, maxBytes: number, hardCapBytes: number): Promise<UploadRead> {
  if (!request.isMultipart()) {
    return {
      ok: false,
      status: 415,
      error: "unsupported_media_type",
      message: `Send the file as multipart/form-data in the field "${UPLOAD_FIELD}" (curl -F ${UPLOAD_FIELD}=@notes.md …).`,
    };
  }
  let file: UploadedFile | null = null;
  let problem: Exclude<UploadRead, { ok: true }> | null = null;
  const parts: AsyncIterable<Multipart> = request.parts({ limits: { fileSize: hardCapBytes, files: 5, fields: 20, parts: 30 } });
  for await (const part of parts) {
    if (part.type !== "file") continue;
    if (file !== null || part.fieldname !== UPLOAD_FIELD) {
      part.file.resume();
      problem ??=
        file !== null
          ? { ok: false, status: 400, error: "one_file_per_request", message: "Send one file per request; upload each file on its own." }
          : {
              ok: false,
              status: 400,
              error: "invalid_body",
              message: `The file came in the field "${part.fieldname}"; send it in the field "${UPLOAD_FIELD}".`,
            };
      continue;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    for await (const chunk of part.file as AsyncIterable<Buffer>) {
      size += chunk.length;
      if (size <= maxBytes) chunks.push(chunk);
    }
    const name = cleanFileName(part.filename);
    if (part.file.truncated) {
      problem ??= {
        ok: false,
        status: 413,
        error: "too_large",
        message: `${name || "The file"} is larger than ${formatBytes(hardCapBytes)}; a file may be at most ${formatBytes(maxBytes)}.`,
      };
      continue;
    }
    if (name === "") {
      problem ??= { ok: false, status: 400, error: "invalid_body", message: "The file has no name; send it with its file name (e.g. notes.md)." };
      continue;
    }
    file = { name, mediaType: part.mimetype, bytes: new Uint8Array(Buffer.concat(chunks)), size };
  }
  if (problem) return problem;
  if (!file) return { ok: false, status: 400, error: "invalid_body", message: `No file in the request; send it in the multipart field "${UPLOAD_FIELD}".` };
  return { ok: true, file };
}
