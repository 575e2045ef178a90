import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render } from "@testing-library/react";
import { TooltipProvider } from "@/components/ui/tooltip";
import { Markdown } from "./markdown";

afterEach(cleanup);

function html(text: string, streaming = false): HTMLElement {
  return render(
    <TooltipProvider>
      <Markdown text={text} streaming={streaming} />
    </TooltipProvider>,
  ).container;
}

describe("Markdown safety", () => {
  it.each([false, true])("shows a <script> tag as text, never as an element (streaming=%s)", (streaming) => {
    const c = html('Hello <script>window.__pwned = 1</script> world\n\n<script src="x.js"></script>', streaming);
    expect(c.querySelector("script")).toBeNull();
    expect(c.textContent).toContain("<script>window.__pwned = 1</script>");
    expect((window as { __pwned?: number }).__pwned).toBeUndefined();
  });

  it("renders event-handler attributes inert as text", () => {
    const c = html('<img src=x onerror="window.__pwned=1"> and <a href="#" onclick="alert(1)">x</a>');
    expect(c.querySelector("img")).toBeNull();
    expect(c.querySelector("[onerror]")).toBeNull();
    expect(c.querySelector("[onclick]")).toBeNull();
    expect(c.textContent).toContain("onerror=");
  });

  it.each(["javascript:alert(1)", "JaVaScRiPt:alert(1)", "java\tscript:alert(1)", "data:text/html,<script>alert(1)</script>", "vbscript:msgbox(1)"])(
    "drops the unsafe link target %s",
    (href) => {
      const c = html(`[click me](${href.replace(/ /g, "%20")})`);
      const a = c.querySelector("a");
      if (a) {
        const target = a.getAttribute("href") ?? "";
        expect(target.toLowerCase().replace(/\s/g, "")).not.toMatch(/^(javascript|data|vbscript):/);
      }
      expect(c.textContent).toContain("click me");
    },
  );

  it("opens safe links in a new tab without an opener", () => {
    const a = html("[docs](https://example.com/a?b=1)").querySelector("a")!;
    expect(a.getAttribute("href")).toBe("https://example.com/a?b=1");
    expect(a.getAttribute("target")).toBe("_blank");
    expect(a.getAttribute("rel")).toContain("noopener");
    expect(a.getAttribute("rel")).toContain("noreferrer");
  });

  it("renders GFM tables and task lists, and code blocks with a language, highlighting and a copy button", () => {
    const c = html("| a | b |\n|---|---|\n| 1 | 2 |\n\n- [x] done\n- [ ] todo\n\n```js\nconst x = 1;\n```");
    expect(c.querySelectorAll("td")).toHaveLength(2);
    expect(c.querySelectorAll('input[type="checkbox"]')).toHaveLength(2);
    const block = c.querySelector('[data-testid="code-block"]')!;
    expect(block.textContent).toContain("js");
    expect(block.querySelector(".hljs-keyword")?.textContent).toBe("const");
    expect(block.querySelector('[data-testid="copy-code"]')).not.toBeNull();
  });

  it("keeps a streaming answer's unfinished code fence in one block", () => {
    const c = html("Intro\n\n```py\nx = 1\n\ny = 2", true);
    const pre = c.querySelectorAll("pre");
    expect(pre).toHaveLength(1);
    expect(pre[0]!.textContent).toContain("y = 2");
  });

  it("warms highlighting up at idle without rendering anything", async () => {
    const { warmUpHighlighting } = await import("./markdown");
    expect(() => warmUpHighlighting(["ts"])).not.toThrow();
    await new Promise((r) => setTimeout(r, 300));
    const c = html("```ts\nconst y = 2;\n```");
    expect(c.querySelector(".hljs-keyword")?.textContent).toBe("const");
  });
});
