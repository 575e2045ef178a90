/** Context windows (tokens) of OpenAI models, longest prefix first so dated snapshots match their family. */
const KNOWN_CONTEXT_WINDOWS: ReadonlyArray<readonly [prefix: string, tokens: number]> = [
  ["gpt-5", 400_000],
  ["gpt-4.1", 1_047_576],
  ["gpt-4o-mini", 128_000],
  ["gpt-4o", 128_000],
  ["chatgpt-4o", 128_000],
  ["gpt-4-turbo", 128_000],
  ["gpt-4-1106", 128_000],
  ["gpt-4-0125", 128_000],
  ["gpt-4-32k", 32_768],
  ["gpt-4", 8_192],
  ["gpt-3.5-turbo-instruct", 4_096],
  ["gpt-3.5-turbo", 16_385],
  ["o4-mini", 200_000],
  ["o3-mini", 200_000],
  ["o3", 200_000],
  ["o1-mini", 128_000],
  ["o1-preview", 128_000],
  ["o1", 200_000],
];

/** The context window of a known OpenAI model name, or null when unknown (callers then use a conservative default). */
export function knownContextWindow(model: string): number | null {
  const name = model.toLowerCase().replace(/^openai\//, "");
  let best: readonly [string, number] | null = null;
  for (const entry of KNOWN_CONTEXT_WINDOWS) {
    const [prefix] = entry;
    if ((name === prefix || name.startsWith(`${prefix}-`) || name.startsWith(`${prefix}.`)) && (!best || prefix.length > best[0].length)) best = entry;
  }
  return best ? best[1] : null;
}
