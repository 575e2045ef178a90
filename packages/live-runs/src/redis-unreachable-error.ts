/** Redis did not answer at start: says where, why and what to do. */
export class RedisUnreachableError extends Error {
  constructor(
    readonly displayUrl: string,
    readonly reason: string,
    settingName = "ALMA_REDIS_URL",
  ) {
    super(`cannot reach Redis at ${displayUrl} (${reason}): start Redis or unset ${settingName}`);
    this.name = "RedisUnreachableError";
  }
}
