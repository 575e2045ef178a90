"use client";
import { Monitor, Moon, Sun } from "lucide-react";
import { Button } from "@/components/ui/button";
import { Tooltip } from "@/components/ui/tooltip";
import { useTheme, type ThemeChoice } from "@/lib/use-theme";

const NEXT: Record<ThemeChoice, ThemeChoice> = { system: "light", light: "dark", dark: "system" };

export function ThemeToggle() {
  const [choice, setChoice] = useTheme();
  const label = `Theme: ${choice} (switch to ${NEXT[choice]})`;
  return (
    <Tooltip content={label}>
      <Button size="icon" variant="ghost" aria-label={label} data-testid="theme-toggle" data-theme={choice} onClick={() => setChoice(NEXT[choice])}>
        {choice === "system" ? <Monitor /> : choice === "light" ? <Sun /> : <Moon />}
      </Button>
    </Tooltip>
  );
}
