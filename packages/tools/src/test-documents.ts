// A long document for retrieval tests: 200 pages of varied filler and one fact on page 170.

const SUBJECTS = [
  "The committee",
  "A visiting engineer",
  "The harbour office",
  "Our regional team",
  "The finance group",
  "A local historian",
  "The night shift",
];
const VERBS = ["reviewed", "described", "summarised", "questioned", "approved", "revisited", "catalogued"];
const OBJECTS = [
  "the quarterly budget figures",
  "the drainage plans for the eastern district",
  "the schedule of the autumn ferry service",
  "a survey of road surfaces",
  "the minutes of the previous meeting",
  "the inventory of the municipal archive",
  "proposals for the new library wing",
];
const TAILS = ["without objection.", "in some detail.", "after a short delay.", "for the second time.", "with several amendments.", "before lunch."];

export const PAGE_170_FACT = "The lighthouse keeper's daughter, Marisol Quintero, repaired the foghorn with a bicycle chain in 1911.";

/** Deterministic pseudo-random filler, so a failure can be reproduced. */
function random(seed: number): () => number {
  let s = seed;
  return () => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
}

/** Each page: `linesPerPage` short lines; page 170 carries the fact in its middle. */
export function twoHundredPages(linesPerPage = 40): string[][] {
  const next = random(170);
  const pick = <T>(list: readonly T[]) => list[Math.floor(next() * list.length)]!;
  return Array.from({ length: 200 }, (_, p) => {
    const lines = Array.from({ length: linesPerPage }, () => `${pick(SUBJECTS)} ${pick(VERBS)} ${pick(OBJECTS)} ${pick(TAILS)}`);
    lines[0] = `Page ${p + 1}.`;
    if (p + 1 === 170) lines.splice(linesPerPage / 2, 0, PAGE_170_FACT);
    return lines;
  });
}

/** The pages as one text with page spans, as extractAttachmentText gives for a PDF. */
export function asPagedText(pages: readonly (readonly string[])[]): { text: string; pages: { number: number; start: number; end: number }[] } {
  let text = "";
  const spans = pages.map((lines, i) => {
    if (i > 0) text += "\n\n";
    const start = text.length;
    text += lines.join("\n");
    return { number: i + 1, start, end: text.length };
  });
  return { text, pages: spans };
}
