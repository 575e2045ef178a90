import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen, within } from "@testing-library/react";
import { TooltipProvider } from "@/components/ui/tooltip";
import { waterfallFromMetrics } from "@/lib/waterfall-rows";
import { analyticalMetrics, request, step } from "@/lib/metrics-fixtures.test-helpers";
import { RunWaterfall } from "./run-waterfall";

afterEach(cleanup);

describe("RunWaterfall", () => {
  it("renders one row per request with its timings, tokens, rate and cut as data, on one labelled time axis", () => {
    const w = waterfallFromMetrics(analyticalMetrics(), [step({ id: "s1" }), step({ id: "s2" })], "stop");
    render(
      <TooltipProvider>
        <RunWaterfall waterfall={w} />
      </TooltipProvider>,
    );
    const rows = screen.getAllByTestId("waterfall-row");
    expect(
      rows.map((r) => [r.dataset.role, r.dataset.agent, r.dataset.startMs, r.dataset.firstTokenMs, r.dataset.endMs, r.dataset.tokens, r.dataset.cut]),
    ).toEqual([
      ["plan", "manager", "78", "217", "545", "86", ""],
      ["step", "analyst", "396", "441", "2730", "90", ""],
      ["step", "critic", "400", "460", "3000", "90", "length"],
      ["synthesis", "manager", "3010", "3040", "5489", "16", ""],
    ]);
    expect(rows[1]!.textContent).toContain("Gather the facts");
    expect(rows[1]!.textContent).toContain("90 tok · 39 tok/s");
    expect(screen.getAllByTestId("waterfall-row-rate").map((r) => r.textContent)).toEqual(["260 tok/s", "39 tok/s", "36 tok/s", "39 tok/s"]);
    expect(rows[2]!.getAttribute("aria-label")).toContain("cut at its token cap");
    expect(screen.getAllByTestId("waterfall-first-token")).toHaveLength(4);
    expect(screen.getAllByTestId("waterfall-tick").map((t) => t.textContent)).toEqual(["0", "2 s", "4 s", "6 s"]);
    expect(screen.getByTestId("waterfall").dataset.source).toBe("requests");
  });

  it("says why a cache hit has no rows", () => {
    render(
      <TooltipProvider>
        <RunWaterfall waterfall={waterfallFromMetrics(analyticalMetrics({ cacheHit: true, requests: [], steps: [] }))} />
      </TooltipProvider>,
    );
    expect(screen.getByTestId("waterfall-empty").textContent).toContain("response cache");
  });
});

describe("RunWaterfall's tool calls", () => {
  it("shows each call under its step's request, with its name and duration, and says so in the row's description", () => {
    const mt = analyticalMetrics({
      requests: [
        request({ role: "step", stepId: "s1", agent: "calculator", startMs: 400, firstTokenMs: 500, endMs: 790, finishReason: "tool_calls" }),
        request({ role: "step", stepId: "s1", agent: "calculator", startMs: 830, firstTokenMs: 900, endMs: 1200, finishReason: "stop" }),
      ],
    });
    const tools = [
      {
        id: "c1",
        tool: "run_javascript",
        arguments: "{}",
        status: "ok" as const,
        result: "1798.65",
        error: null,
        durationMs: 15,
        startedAt: mt.receivedAt + 800,
      },
    ];
    render(
      <TooltipProvider>
        <RunWaterfall waterfall={waterfallFromMetrics(mt, [step({ id: "s1", tools })], "stop")} />
      </TooltipProvider>,
    );
    const [first, second] = screen.getAllByTestId("waterfall-row");
    const mark = within(first!).getByTestId("waterfall-tool");
    expect([mark.dataset.tool, mark.dataset.status, mark.dataset.startMs, mark.dataset.endMs]).toEqual(["run_javascript", "ok", "800", "815"]);
    expect(within(mark).getByTestId("waterfall-tool-duration").textContent).toBe("15 ms");
    expect(first!.getAttribute("aria-label")).toContain("then run_javascript took 15 ms");
    expect(within(second!).getByTestId("waterfall-round").textContent).toBe("round 2");
    expect(within(second!).queryByTestId("waterfall-retry")).toBeNull();
  });
});
