import type { StepRecord } from "@alma/protocol";
import type { ConversationStore } from "@alma/store";

/** What a flush reads of a run's fold. */
export interface FlushableState {
  text: string;
  steps: readonly StepRecord[];
}

export type FlushOutcome = "unchanged" | "appended" | "rewritten";

/**
 * A live run's crash-safety flushes of its partial answer. It remembers what is stored already and sends only what
 * came since: the new text is appended (the stored text is neither read nor sent again, so a flush costs the same
 * at the first token as at the ten-thousandth), the steps (with their tools) are written only when they changed.
 * The fold only ever extends the text; were it ever replaced, the whole text is written instead. A flush that
 * fails marks nothing stored, so the next one sends its part again with the newer text: no hole in the answer.
 */
export class PartialAnswerFlusher {
  private text: string;
  private steps: readonly StepRecord[];

  /** `stored`: what the message holds when the run starts (empty, or a continued answer's kept part) */
  constructor(
    private readonly store: Pick<ConversationStore, "appendAssistantText" | "updateAssistantMessage">,
    private readonly messageId: string,
    stored: FlushableState,
  ) {
    this.text = stored.text;
    this.steps = stored.steps;
  }

  async flush(state: FlushableState): Promise<FlushOutcome> {
    const { text, steps } = state;
    const stepsChanged = steps !== this.steps;
    const storedSteps = () => (steps.length > 0 ? [...steps] : null);
    if (text === this.text || (text.length > this.text.length && text.startsWith(this.text))) {
      const delta = text.slice(this.text.length);
      if (delta.length === 0 && !stepsChanged) return "unchanged";
      await this.store.appendAssistantText(this.messageId, { delta, ...(stepsChanged ? { steps: storedSteps() } : {}) });
      this.remember(state);
      return "appended";
    }
    await this.store.updateAssistantMessage(this.messageId, { content: text, steps: storedSteps() });
    this.remember(state);
    return "rewritten";
  }

  private remember(state: FlushableState): void {
    this.text = state.text;
    this.steps = state.steps;
  }
}
