import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import type { ModelStatus } from "@alma/protocol";
import { SetupScreen } from "./setup-screen";

afterEach(cleanup);

const unavailable: ModelStatus = {
  ready: false,
  provider: "local",
  model: null,
  contextWindow: null,
  state: "unavailable",
  download: null,
  problem: "No model file was found and the machine is offline.",
  setup: ["Set OPENAI_API_KEY to use OpenAI.", "Set OPENAI_BASE_URL to an OpenAI-compatible server.", "Set ALMA_MODEL to a local GGUF file."],
};

describe("SetupScreen", () => {
  it("names why no model is ready and every way to configure one", () => {
    render(<SetupScreen model={unavailable} />);
    expect(screen.getByRole("heading").textContent).toContain("No model is ready");
    expect(screen.getByText(/offline/)).toBeTruthy();
    expect(screen.getAllByRole("listitem").map((li) => li.textContent)).toEqual(unavailable.setup);
  });

  it("shows the download's progress", () => {
    render(
      <SetupScreen
        model={{
          ...unavailable,
          state: "downloading",
          problem: null,
          download: { file: "qwen.gguf", receivedBytes: 100 * 1048576, totalBytes: 400 * 1048576 },
        }}
      />,
    );
    const bar = screen.getByRole("progressbar");
    expect(bar.getAttribute("aria-valuenow")).toBe("25");
    expect(screen.getByTestId("download-progress").textContent).toContain("100 MB of 400 MB (25%)");
  });
});
