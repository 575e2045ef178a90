// where a call of the JSON convention may begin: its opening brace (in a code fence or not) and the "tool" key
const CALL_START = /(?:```(?:json)?\s*)?\{\s*"(?:tool|name)"\s*:/;
// the end of the text may be the beginning of one: a fence, a brace, the start of its first key
const MAYBE_START = /(?:`{1,3}(?:j(?:s(?:o(?:n)?)?)?)?\s*)?(?:\{\s*(?:"[A-Za-z]{0,4}"?\s*)?)?$/;

/**
 * Streams a reply of a model that calls tools through the JSON convention while hiding the call itself: prose
 * streams at once, text that is or may become `{"tool": ...}` is held until the reply ends. The user reads
 * "Let me compute that." and never a half-written JSON object.
 */
export class JsonCallStreamFilter {
  private text = "";
  private shown = 0;

  constructor(private readonly emit: (text: string) => void) {}

  push = (delta: string): void => {
    this.text += delta;
    const rest = this.text.slice(this.shown);
    const call = CALL_START.exec(rest);
    let hold = call ? call.index : rest.length;
    if (!call) {
      const maybe = MAYBE_START.exec(rest);
      if (maybe && maybe[0].length > 0) hold = maybe.index;
    }
    if (hold > 0) {
      this.emit(rest.slice(0, hold));
      this.shown += hold;
    }
  };

  /** The reply ended. `callStart`: where a call the reply makes begins (it stays hidden), or null: show the rest. */
  end(callStart: number | null): void {
    if (callStart !== null) {
      // prose held back just before the call (a fence, a space) is shown; the call and what follows it are not
      const before = this.text.slice(this.shown, Math.max(this.shown, callStart)).replace(/```(?:json)?\s*$/i, "");
      this.shown = this.text.length;
      if (before.trim()) this.emit(before);
      return;
    }
    const rest = this.text.slice(this.shown);
    this.shown = this.text.length;
    if (rest) this.emit(rest);
  }
}
