"use client";
import * as React from "react";
import { X } from "lucide-react";
import { Button } from "./button";

export interface ToastItem {
  id: number;
  message: string;
  action?: { label: string; onClick: () => void };
  durationMs: number;
}

type Push = (t: Omit<ToastItem, "id" | "durationMs"> & { durationMs?: number }) => void;
const ToastContext = React.createContext<Push>(() => undefined);

export function useToast(): Push {
  return React.useContext(ToastContext);
}

/** Small toasts announced to screen readers through a polite live region. */
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
  return (
    <ToastContext.Provider value={push}>
      {children}
      <div aria-live="polite" className="pointer-events-none fixed inset-x-0 bottom-4 z-50 flex flex-col items-center gap-2 px-4">
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
    </ToastContext.Provider>
  );
}
