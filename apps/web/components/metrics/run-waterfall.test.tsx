import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import { TooltipProvider } from "@/components/ui/tooltip";
import { waterfallFromMetrics } from "@/lib/waterfall-rows";
import { analyticalMetrics, step } from "@/lib/metrics-fixtures.test-helpers";
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
