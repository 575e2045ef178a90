import type { RequestMeasure } from "./agent-run.js";

export const CUT_NOTE = " …(cut to fit the model's window)";

/**
 * The steps' results as the synthesis prompt carries them: whole when they fit `room` tokens together, else each
 * cut fairly (short results stay whole, the long ones share what is left equally).
 */
export async function fitStepResults(texts: string[], room: number, measure: Pick<RequestMeasure, "countText" | "truncate">): Promise<string[]> {
  const sizes = await Promise.all(texts.map((t) => measure.countText(t)));
  if (sizes.reduce((a, b) => a + b, 0) <= room) return texts;
  const shares = new Array<number>(texts.length).fill(0);
  const order = sizes.map((n, i) => [n, i] as const).sort((a, b) => a[0] - b[0]);
  let left = Math.max(0, room);
  order.forEach(([n, i], k) => {
    const fair = Math.floor(left / (order.length - k));
    shares[i] = Math.min(n, fair);
    left -= shares[i]!;
  });
  const noteTokens = await measure.countText(CUT_NOTE);
  return Promise.all(
    texts.map(async (t, i) => {
      if (shares[i]! >= sizes[i]!) return t;
      const keep = shares[i]! - noteTokens;
      // a result with no room left still says it existed, so the synthesis does not read it as missing
      return keep > 0 ? (await measure.truncate(t, keep)) + CUT_NOTE : CUT_NOTE.trim();
    }),
  );
}
