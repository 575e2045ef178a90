/**
 * The stderr line for a run that ended in an error: the server's message, and that the partial answer is kept when
 * there is one, unless the message says so already (a shutdown's or an internal error's does): said once.
 */
export function runErrorLine(message: string, partial: boolean): string {
  const kept = partial && !/partial answer (?:is|was) kept/i.test(message) ? " The partial answer is kept." : "";
  return `alma: ${message}${kept}`;
}
