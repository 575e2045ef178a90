/** A request the store cannot satisfy, e.g. a message for a conversation that does not exist. */
export class StoreError extends Error {
  readonly code: "not_found" | "conflict";

  constructor(code: "not_found" | "conflict", message: string) {
    super(message);
    this.name = "StoreError";
    this.code = code;
  }
}
