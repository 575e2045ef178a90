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

  it("says where the settings go, and that an OpenAI-compatible server needs OPENAI_MODEL as well as OPENAI_BASE_URL", () => {
    render(<SetupScreen model={unavailable} />);
    const where = screen.getByTestId("setup-where").textContent ?? "";
    expect(where).toContain(".env file at the root of the alma folder");
    expect(where).toContain(".env.example");
    expect(where).toContain("the shell that starts the server");
    expect(screen.getByTestId("setup-example").textContent).toBe("OPENAI_BASE_URL=http://127.0.0.1:11434/v1\nOPENAI_MODEL=qwen2.5:0.5b");
    // the server's ways stay the only list items
    expect(screen.getAllByRole("listitem")).toHaveLength(unavailable.setup.length);
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
