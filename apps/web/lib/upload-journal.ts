import { z } from "zod";

const KEY = "alma.uploading";
/** this page load: entries it wrote are its own uploads, still going; any other load's were cut off by a reload */
const PAGE = Math.random().toString(36).slice(2);

const entrySchema = z.object({ page: z.string(), key: z.string(), name: z.string(), size: z.number() });
const journalSchema = z.record(z.string(), entrySchema);
type Journal = z.infer<typeof journalSchema>;

/** A file whose upload a reload cut off: its name and size, to say so on the page. */
export interface InterruptedUpload {
  name: string;
  size: number;
}

function read(): Journal {
  try {
    const parsed = journalSchema.safeParse(JSON.parse(sessionStorage.getItem(KEY) ?? "{}"));
    return parsed.success ? parsed.data : {};
  } catch {
    return {};
  }
}

function write(journal: Journal): void {
  try {
    if (Object.keys(journal).length === 0) sessionStorage.removeItem(KEY);
    else sessionStorage.setItem(KEY, JSON.stringify(journal));
  } catch {
    // storage disabled: a reload during an upload then loses the file without a word
  }
}

/**
 * The uploads going on in this tab (sessionStorage: a reload keeps it, another tab has its own), so the page after a
 * reload can say which files never finished uploading instead of dropping them silently.
 */
export function noteUploading(localId: string, key: string, name: string, size: number): void {
  write({ ...read(), [`${PAGE}:${localId}`]: { page: PAGE, key, name, size } });
}

/** the upload ended (uploaded, failed, removed): nothing to tell after a reload */
export function noteUploadEnded(localId: string): void {
  const journal = read();
  if (!(`${PAGE}:${localId}` in journal)) return;
  delete journal[`${PAGE}:${localId}`];
  write(journal);
}

/** the new chat's uploads now go to the conversation the first one created */
export function moveUploads(from: string, to: string): void {
  const journal = read();
  for (const e of Object.values(journal)) if (e.page === PAGE && e.key === from) e.key = to;
  write(journal);
}

/** The conversation's uploads an earlier load of this tab left unfinished, taken off the journal (told once). */
export function takeInterruptedUploads(key: string): InterruptedUpload[] {
  const journal = read();
  const taken: InterruptedUpload[] = [];
  for (const [id, e] of Object.entries(journal)) {
    if (e.page === PAGE || e.key !== key) continue;
    taken.push({ name: e.name, size: e.size });
    delete journal[id];
  }
  if (taken.length > 0) write(journal);
  return taken;
}
