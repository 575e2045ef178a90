import { z } from "zod";
import { defineTool } from "./tool-definition.js";
import { ToolError } from "./tool-error.js";
import { DEFAULT_SCRIPT_LIMITS, type ScriptLimits, evaluateScript, formatMegabytes, formatSeconds } from "./evaluate-script.js";
import { roundForDisplay } from "./round-for-display.js";

export interface CalculatorResult {
  /** the script's value, exactly (JSON) */
  value: unknown;
  /** the value for reading: numbers rounded, anywhere in it */
  display: string;
  /** what the script printed with console.log */
  logs: string[];
}

export type CalculatorOptions = Omit<ScriptLimits, "signal">;

const calculatorArguments = z.object({
  code: z.string().min(1).max(20_000).describe("JavaScript: an expression, or a small program whose last expression (or a `result` variable) is the answer"),
});

/** Runs JavaScript in a QuickJS sandbox for arithmetic and data crunching; the value or the error goes back to the model. */
export function createCalculatorTool(options: CalculatorOptions = {}) {
  const seconds = formatSeconds(options.timeLimitMs ?? DEFAULT_SCRIPT_LIMITS.timeLimitMs);
  const megabytes = formatMegabytes(options.memoryLimitBytes ?? DEFAULT_SCRIPT_LIMITS.memoryLimitBytes);
  return defineTool({
    name: "calculate",
    description:
      "Evaluate JavaScript for exact arithmetic and data crunching (loans, statistics, unit conversions, sorting or summing data). " +
      "The value of the last expression, or of a variable named `result`, is returned as JSON; console.log lines are returned too. " +
      `No network, files or imports; at most ${seconds} and ${megabytes}. Example: 300000 * 0.005 / (1 - 1.005 ** -360)`,
    parameters: calculatorArguments,
    async run({ code }, { signal }): Promise<CalculatorResult | ToolError> {
      const outcome = await evaluateScript(code, { ...options, signal });
      if (!outcome.ok) return new ToolError(outcome.error.code, withLogs(outcome.error.message, outcome.logs));
      return { value: outcome.value, display: displayValue(outcome.value), logs: outcome.logs };
    },
    toModelText(result) {
      const exact = JSON.stringify(result.value);
      const shown = result.display === exact ? exact : `${exact} (rounded: ${result.display})`;
      return withLogs(`Result: ${shown}`, result.logs);
    },
  });
}

function withLogs(text: string, logs: readonly string[]): string {
  return logs.length === 0 ? text : `${text}\nconsole output:\n${logs.join("\n")}`;
}

/** JSON of the value with every number rounded for reading. */
export function displayValue(value: unknown): string {
  const rounded = JSON.stringify(value, (_key, v: unknown) => (typeof v === "number" ? Number(roundForDisplay(v)) : v));
  return rounded ?? "null";
}
