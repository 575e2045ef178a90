"use client";
import * as React from "react";
import { X } from "lucide-react";
import { cn } from "@/lib/utils";
import { Button } from "./button";

export interface ToastItem {
  id: number;
  message: string;
  action?: { label: string; onClick: () => void };
  durationMs: number;
}

type Push = (t: Omit<ToastItem, "id" | "durationMs"> & { durationMs?: number }) => void;
const ToastContext = React.createContext<Push>(() => undefined);
const ToastItemsContext = React.createContext<{ items: ToastItem[]; dismiss(id: number): void }>({ items: [], dismiss: () => undefined });

export function useToast(): Push {
  return React.useContext(ToastContext);
}

/** Holds the toasts; a `ToastRegion` placed in the layout shows them. */
export function Toaster({ children }: { children: React.ReactNode }) {
  const [items, setItems] = React.useState<ToastItem[]>([]);
  const nextId = React.useRef(1);
  const dismiss = React.useCallback((id: number) => setItems((xs) => xs.filter((x) => x.id !== id)), []);
  const push = React.useCallback<Push>(
    (t) => {
      const id = nextId.current++;
      const item: ToastItem = { durationMs: 6000, ...t, id };
      setItems((xs) => [...xs, item]);
      setTimeout(() => dismiss(id), item.durationMs);
    },
    [dismiss],
  );
  const shown = React.useMemo(() => ({ items, dismiss }), [items, dismiss]);
  return (
    <ToastContext.Provider value={push}>
      <ToastItemsContext.Provider value={shown}>{children}</ToastItemsContext.Provider>
    </ToastContext.Provider>
  );
}

/**
 * Small toasts announced to screen readers through a polite live region. Where it sits is the layout's choice
 * (`className` positions it), so toasts can be kept clear of the controls.
 */
export function ToastRegion({ className }: { className?: string }) {
  const { items, dismiss } = React.useContext(ToastItemsContext);
  return (
    <div aria-live="polite" data-testid="toast-region" className={cn("pointer-events-none z-50 flex flex-col items-center gap-2 px-4", className)}>
      {items.map((t) => (
        <div
          key={t.id}
          role="status"
          data-testid="toast"
          className="pointer-events-auto flex max-w-md items-center gap-3 rounded-lg border bg-background px-4 py-2.5 text-sm shadow-lg"
        >
          <span>{t.message}</span>
          {t.action && (
            <Button
              size="sm"
              variant="outline"
              data-testid="toast-action"
              onClick={() => {
                t.action!.onClick();
                dismiss(t.id);
              }}
            >
              {t.action.label}
            </Button>
          )}
          <Button size="icon-sm" variant="ghost" aria-label="Dismiss" onClick={() => dismiss(t.id)}>
            <X />
          </Button>
        </div>
      ))}
    </div>
  );
}
