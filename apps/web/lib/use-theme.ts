"use client";
import * as React from "react";

export type ThemeChoice = "system" | "light" | "dark";
const KEY = "alma.theme";

function apply(choice: ThemeChoice) {
  const dark = choice === "dark" || (choice === "system" && matchMedia("(prefers-color-scheme: dark)").matches);
  document.documentElement.classList.toggle("dark", dark);
}

/** System by default; the choice is stored, and "system" follows the OS live. */
export function useTheme(): [ThemeChoice, (c: ThemeChoice) => void] {
  const [choice, setChoice] = React.useState<ThemeChoice>("system");
  React.useEffect(() => {
    const stored = localStorage.getItem(KEY);
    if (stored === "light" || stored === "dark" || stored === "system") setChoice(stored);
  }, []);
  React.useEffect(() => {
    apply(choice);
    if (choice !== "system") return;
    const mq = matchMedia("(prefers-color-scheme: dark)");
    const onChange = () => apply("system");
    mq.addEventListener("change", onChange);
    return () => mq.removeEventListener("change", onChange);
  }, [choice]);
  const set = React.useCallback((c: ThemeChoice) => {
    localStorage.setItem(KEY, c);
    setChoice(c);
  }, []);
  return [choice, set];
}
