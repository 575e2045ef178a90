import type { TokenCounter } from "./token-counter.js";

/**
 * The longest prefix of `text` (cut at a code point, then at a word when one is near) whose count
 * is at most `maxTokens`. Binary search over the length works with any counter, sync or async.
 */
export async function truncateToTokens(counter: TokenCounter, text: string, maxTokens: number): Promise<string> {
  if ((await counter.countText(text)) <= maxTokens) return text;
  const points = Array.from(text);
  let lo = 0;
  let hi = points.length;
  while (lo < hi) {
    const mid = Math.ceil((lo + hi) / 2);
    if ((await counter.countText(points.slice(0, mid).join(""))) <= maxTokens) lo = mid;
    else hi = mid - 1;
  }
  const prefix = points.slice(0, lo).join("");
  const space = prefix.lastIndexOf(" ");
  return space > prefix.length * 0.8 ? prefix.slice(0, space) : prefix;
}
