import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen } from "@testing-library/react";
import { KNOWN_MODEL_PRICES, type ModelPrice } from "@alma/protocol";
import { PriceTableEditor } from "./price-table-editor";

afterEach(cleanup);

function setup(table: ModelPrice[] = [{ model: "gpt-4o", inputPerMillion: 2.5, outputPerMillion: 10 }], currentModel: string | null = "fake-model") {
  const onChange = vi.fn();
  const onReset = vi.fn(() => KNOWN_MODEL_PRICES.map((p) => ({ ...p })));
  render(<PriceTableEditor table={table} currentModel={currentModel} onChange={onChange} onReset={onReset} />);
  return { onChange, onReset };
}

describe("PriceTableEditor", () => {
  it("saves each valid edit, and says what is wrong with a bad one without saving it", () => {
    const { onChange } = setup();
    fireEvent.change(screen.getByTestId("price-input"), { target: { value: "3" } });
    expect(onChange).toHaveBeenLastCalledWith([{ model: "gpt-4o", inputPerMillion: 3, outputPerMillion: 10 }]);
    onChange.mockClear();
    fireEvent.change(screen.getByTestId("price-output"), { target: { value: "ten" } });
    expect(onChange).not.toHaveBeenCalled();
    expect(screen.getByRole("alert").textContent).toContain('Row 1: the output price "ten" is not a number');
    expect(screen.getByTestId("price-output").getAttribute("aria-invalid")).toBe("true");
    fireEvent.change(screen.getByTestId("price-output"), { target: { value: "12" } });
    expect(screen.queryByRole("alert")).toBeNull();
    expect(onChange).toHaveBeenLastCalledWith([{ model: "gpt-4o", inputPerMillion: 3, outputPerMillion: 12 }]);
  });

  it("adds a row for the answer's unpriced model, removes rows, resets to the known prices", () => {
    const { onChange, onReset } = setup();
    fireEvent.click(screen.getByTestId("price-add-current"));
    expect(screen.getAllByTestId("price-row")).toHaveLength(2);
    expect((screen.getAllByTestId("price-model")[1] as HTMLInputElement).value).toBe("fake-model");
    fireEvent.change(screen.getAllByTestId("price-input")[1]!, { target: { value: "1" } });
    fireEvent.change(screen.getAllByTestId("price-output")[1]!, { target: { value: "2" } });
    expect(onChange).toHaveBeenLastCalledWith([
      { model: "gpt-4o", inputPerMillion: 2.5, outputPerMillion: 10 },
      { model: "fake-model", inputPerMillion: 1, outputPerMillion: 2 },
    ]);
    fireEvent.click(screen.getAllByTestId("price-remove")[0]!);
    expect(onChange).toHaveBeenLastCalledWith([{ model: "fake-model", inputPerMillion: 1, outputPerMillion: 2 }]);
    fireEvent.click(screen.getByTestId("price-reset"));
    expect(onReset).toHaveBeenCalled();
    expect(screen.getAllByTestId("price-row")).toHaveLength(KNOWN_MODEL_PRICES.length);
  });
});
