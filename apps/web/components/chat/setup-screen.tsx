"use client";
import { Download, Loader2, Settings2 } from "lucide-react";
import type { ModelStatus } from "@alma/protocol";
import { formatBytes } from "@/lib/format";

/** When no model is ready: why, the ways to configure one, and the download progress if one is being fetched. */
export function SetupScreen({ model }: { model: ModelStatus }) {
  const d = model.download;
  const pct = d?.totalBytes ? Math.min(100, (d.receivedBytes / d.totalBytes) * 100) : null;
  return (
    <section data-testid="setup-screen" data-state={model.state} aria-labelledby="setup-title" className="mx-auto w-full max-w-xl space-y-4 px-4 py-10">
      <h2 id="setup-title" className="flex items-center gap-2 text-lg font-semibold">
        {model.state === "downloading" ? (
          <Download className="size-5" />
        ) : model.state === "loading" ? (
          <Loader2 className="size-5 animate-spin" />
        ) : (
          <Settings2 className="size-5" />
        )}
        {model.state === "downloading" ? "Downloading the model" : model.state === "loading" ? "Loading the model" : "No model is ready"}
      </h2>
      {model.problem && <p className="text-sm text-muted-foreground">{model.problem}</p>}
      {d && (
        <div className="space-y-1" data-testid="download-progress">
          <div
            className="h-2 overflow-hidden rounded-full bg-muted"
            role="progressbar"
            aria-label={`Downloading ${d.file}`}
            aria-valuemin={0}
            aria-valuemax={100}
            aria-valuenow={pct === null ? undefined : Math.round(pct)}
          >
            <div className="h-full bg-primary transition-[width]" style={{ width: `${pct ?? 5}%` }} />
          </div>
          <p className="text-xs text-muted-foreground tabular-nums">
            {d.file}: {formatBytes(d.receivedBytes)}
            {d.totalBytes ? ` of ${formatBytes(d.totalBytes)}` : ""}
            {pct !== null ? ` (${pct.toFixed(0)}%)` : ""}
          </p>
        </div>
      )}
      {model.setup.length > 0 && (
        <div className="space-y-2">
          <p className="text-sm font-medium">Ways to make a model ready:</p>
          <ol className="list-decimal space-y-1.5 pl-5 text-sm">
            {model.setup.map((s, i) => (
              <li key={i} className="whitespace-pre-wrap">
                {s}
              </li>
            ))}
          </ol>
          <div className="space-y-2 rounded-lg border bg-card p-3 text-sm" data-testid="setup-where">
            <p>
              <span className="font-medium">Where the settings go:</span> a <code className="font-mono text-xs">.env</code> file at the root of the alma folder
              (copy <code className="font-mono text-xs">.env.example</code> to <code className="font-mono text-xs">.env</code>; it describes every setting), or
              the shell that starts the server.
            </p>
            <p>For an OpenAI-compatible server (Ollama, vLLM, LM Studio, llama.cpp) set both its address and the model it serves, for example:</p>
            <pre className="overflow-x-auto rounded-md bg-code px-3 py-2 font-mono text-xs" data-testid="setup-example">
              {"OPENAI_BASE_URL=http://127.0.0.1:11434/v1\nOPENAI_MODEL=qwen2.5:0.5b"}
            </pre>
          </div>
          <p className="text-xs text-muted-foreground">Restart the server after changing its settings; this page picks the model up by itself.</p>
        </div>
      )}
    </section>
  );
}
