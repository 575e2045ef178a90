"use client";
import * as React from "react";
import ReactMarkdown, { type Components } from "react-markdown";
import remarkGfm from "remark-gfm";
import rehypeHighlight from "rehype-highlight";
import { splitMarkdownBlocks } from "@/lib/markdown-blocks";
import { safeUrl } from "@/lib/safe-url";
import { CopyButton } from "./copy-button";

interface MdNode {
  type: string;
  value?: string;
  children?: MdNode[];
}

/** Raw HTML in model output is shown as text, never parsed into elements. */
function remarkHtmlAsText() {
  const walk = (node: MdNode) => {
    if (node.type === "html") node.type = "text";
    node.children?.forEach(walk);
  };
  return (tree: MdNode) => walk(tree);
}

function textOf(node: MdNode | undefined): string {
  if (!node) return "";
  if (node.type === "text") return node.value ?? "";
  return (node.children ?? []).map(textOf).join("");
}

const components: Components = {
  a: ({ href, children }) =>
    href ? (
      <a href={href} target="_blank" rel="noopener noreferrer nofollow">
        {children}
      </a>
    ) : (
      <span>{children}</span>
    ),
  img: ({ alt }) => <span className="text-muted-foreground">[image{alt ? `: ${alt}` : ""}]</span>,
  pre: ({ node, children }) => {
    const code = node?.children?.[0] as (MdNode & { properties?: { className?: string[] } }) | undefined;
    const lang = code?.properties?.className?.find((c) => c.startsWith("language-"))?.slice("language-".length) ?? "";
    return (
      <div className="not-prose overflow-hidden rounded-lg border" data-testid="code-block">
        <div className="flex items-center justify-between bg-muted px-3 py-1 text-xs text-muted-foreground">
          <span>{lang || "code"}</span>
          <CopyButton text={textOf(code)} label="Copy code" testId="copy-code" />
        </div>
        <pre>{children}</pre>
      </div>
    );
  },
  input: ({ type, checked }) =>
    type === "checkbox" ? (
      <input type="checkbox" checked={!!checked} readOnly disabled className="mr-1.5 align-middle" aria-label={checked ? "done" : "not done"} />
    ) : null,
};

const remarkPlugins = [remarkGfm, remarkHtmlAsText];
const highlighted = [[rehypeHighlight, { detect: false, ignoreMissing: true }]] as never;

const WARM_LANGUAGES = ["ts", "js", "python", "bash", "json", "html", "css", "sql", "go", "rust", "java", "cpp"];
let warmed = false;

/**
 * highlight.js compiles a language's grammar the first time it is used, which can take tens of
 * milliseconds: do it for the common languages while the page is idle, one per idle period, so the
 * first code block of a streaming answer does not become a long task.
 */
export function warmUpHighlighting(languages: string[] = WARM_LANGUAGES): void {
  if (warmed || typeof window === "undefined") return;
  warmed = true;
  const idle = (cb: () => void) => ("requestIdleCallback" in window ? window.requestIdleCallback(cb, { timeout: 5000 }) : setTimeout(cb, 200));
  const next = (i: number) => {
    if (i >= languages.length) return;
    idle(() => {
      // The synchronous Markdown component runs the whole pipeline when called; its output is discarded.
      ReactMarkdown({ children: `\`\`\`${languages[i]}\nx\n\`\`\``, rehypePlugins: highlighted });
      next(i + 1);
    });
  };
  next(0);
}

const MarkdownBlock = React.memo(function MarkdownBlock({ text, highlight }: { text: string; highlight: boolean }) {
  return (
    <ReactMarkdown remarkPlugins={remarkPlugins} rehypePlugins={highlight ? highlighted : []} components={components} urlTransform={safeUrl}>
      {text}
    </ReactMarkdown>
  );
});

const FENCE = /^\s{0,3}(```|~~~)/m;
// Reference definitions and footnotes point across blocks: such answers render whole once finished.
const CROSS_BLOCK = /^\s{0,3}\[[^\]]+\]:/m;

/**
 * Renders Markdown block by block (split at blank lines outside code fences): each block is memoized, so
 * while an answer streams only its growing last block re-parses, and finishing it re-renders that block
 * alone. Code is highlighted once its block is complete.
 */
export const Markdown = React.memo(function Markdown({ text, streaming = false }: { text: string; streaming?: boolean }) {
  if (!streaming && CROSS_BLOCK.test(text)) {
    return (
      <div className="prose-chat">
        <MarkdownBlock text={text} highlight />
      </div>
    );
  }
  const blocks = splitMarkdownBlocks(text);
  const last = blocks.length - 1;
  return (
    <div className="prose-chat">
      {blocks.map((b, i) => (
        <MarkdownBlock key={i} text={b} highlight={FENCE.test(b) && (!streaming || i < last)} />
      ))}
    </div>
  );
});
