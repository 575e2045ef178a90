/** A one-line download progress bar for a terminal; redraws in place and stays quiet when the stream is not a TTY. */
export class DownloadProgressBar {
  readonly #out: NodeJS.WriteStream;
  readonly #label: string;
  #lastDraw = 0;

  constructor(label: string, out: NodeJS.WriteStream = process.stderr) {
    this.#label = label;
    this.#out = out;
  }

  get enabled(): boolean {
    return this.#out.isTTY === true;
  }

  update(receivedBytes: number, totalBytes: number | null): void {
    const now = Date.now();
    if (!this.enabled || (now - this.#lastDraw < 100 && receivedBytes !== totalBytes)) return;
    this.#lastDraw = now;
    this.#out.write(`\r${renderProgressLine(this.#label, receivedBytes, totalBytes, this.#out.columns ?? 80)}`);
  }

  finish(): void {
    if (this.enabled) this.#out.write("\n");
  }
}

const MB = 1024 * 1024;

/** "label [#####-----]  42% 170.0/400.0 MB" fitted to `columns`. */
export function renderProgressLine(label: string, receivedBytes: number, totalBytes: number | null, columns = 80): string {
  const sizes = totalBytes ? `${(receivedBytes / MB).toFixed(1)}/${(totalBytes / MB).toFixed(1)} MB` : `${(receivedBytes / MB).toFixed(1)} MB`;
  if (!totalBytes) return `${label} ${sizes}`.slice(0, columns - 1);
  const fraction = Math.min(1, receivedBytes / totalBytes);
  const percent = `${Math.floor(fraction * 100)}%`.padStart(4);
  const width = Math.max(10, Math.min(40, columns - label.length - sizes.length - 10));
  const filled = Math.round(fraction * width);
  return `${label} [${"#".repeat(filled)}${"-".repeat(width - filled)}] ${percent} ${sizes}`.slice(0, columns - 1);
}
