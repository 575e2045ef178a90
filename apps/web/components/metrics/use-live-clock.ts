"use client";
import * as React from "react";
import type { UiMessage } from "@/lib/ui-message";
import { EMPTY_CLOCK, observeRun, type LiveClock } from "@/lib/waterfall-clock";

/**
 * What this page saw of the streaming answer (phase changes, the server clock's offset), noted on every render
 * while the panel is open, so the live waterfall can place the hidden phases the run's events carry no time for.
 */
export function useLiveClock(streaming: UiMessage | null): LiveClock {
  const ref = React.useRef<LiveClock>(EMPTY_CLOCK);
  if (streaming) ref.current = observeRun(ref.current, streaming, Date.now());
  return ref.current;
}

/** Now, ticking twice a second while `active` (the streaming answer's own updates come four times a second). */
export function useNow(active: boolean): number {
  const [now, setNow] = React.useState(() => Date.now());
  React.useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setNow(Date.now()), 500);
    return () => clearInterval(t);
  }, [active]);
  return active ? now : Date.now();
}

/**
 * `value`, passed on at most once every `ms` (the newest one, at the end of each wait): the panel follows a streaming
 * answer four times a second instead of at every animation frame, so it never slows the stream it measures.
 */
export function useThrottled<T>(value: T, ms: number): T {
  const [shown, setShown] = React.useState(value);
  const latest = React.useRef(value);
  latest.current = value;
  const lastAt = React.useRef(0);
  const timer = React.useRef<ReturnType<typeof setTimeout> | null>(null);
  React.useEffect(() => {
    if (Object.is(value, shown) || timer.current !== null) return;
    timer.current = setTimeout(
      () => {
        timer.current = null;
        lastAt.current = Date.now();
        setShown(() => latest.current);
      },
      Math.max(0, lastAt.current + ms - Date.now()),
    );
  }, [value, shown, ms]);
  React.useEffect(
    () => () => {
      if (timer.current !== null) clearTimeout(timer.current);
    },
    [],
  );
  return shown;
}
