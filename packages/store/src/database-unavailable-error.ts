/** The database alma was told to use cannot be used: what happened, where, and how to fix it, in one sentence. */
export class DatabaseUnavailableError extends Error {
  /** the PostgreSQL error code or the socket error code (ECONNREFUSED, 3D000, 28P01, …) */
  readonly code: string;

  constructor(code: string, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = "DatabaseUnavailableError";
    this.code = code;
  }
}

/** the URL as it may be shown: the password replaced, nothing else changed */
export function redactDatabaseUrl(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.password) parsed.password = "***";
    return parsed.toString();
  } catch {
    return "(an unreadable ALMA_DATABASE_URL)";
  }
}

/** Why PostgreSQL at `url` could not be used, in words an operator can act on. */
export function describePostgresError(err: unknown, url: string): DatabaseUnavailableError {
  const where = redactDatabaseUrl(url);
  const code = typeof err === "object" && err !== null && "code" in err && typeof err.code === "string" ? err.code : "unknown";
  const detail = err instanceof Error ? err.message : String(err);
  let database = "";
  let user = "";
  try {
    const parsed = new URL(url);
    database = decodeURIComponent(parsed.pathname.slice(1)) || "postgres";
    user = decodeURIComponent(parsed.username) || "(your system user)";
  } catch {
    // described as unreadable above
  }
  const fallback = "or unset ALMA_DATABASE_URL to use SQLite";
  switch (code) {
    case "ECONNREFUSED":
    case "ENOTFOUND":
    case "EHOSTUNREACH":
    case "ETIMEDOUT":
    case "ECONNRESET":
    case "EAI_AGAIN":
      return new DatabaseUnavailableError(
        code,
        `cannot reach PostgreSQL at ${where} (${code}): start PostgreSQL, fix ALMA_DATABASE_URL, or unset it to use SQLite`,
        {
          cause: err,
        },
      );
    case "3D000":
      return new DatabaseUnavailableError(
        code,
        `PostgreSQL at ${where} has no database "${database}" (3D000): create it (createdb ${database}, or CREATE DATABASE "${database}"), point ALMA_DATABASE_URL at an existing one, ${fallback}`,
        { cause: err },
      );
    case "28P01":
    case "28000":
      return new DatabaseUnavailableError(
        code,
        `PostgreSQL at ${where} refused user "${user}" (${code}: ${detail}): fix the user or password in ALMA_DATABASE_URL or PostgreSQL's pg_hba.conf, ${fallback}`,
        { cause: err },
      );
    default:
      if (/timeout/i.test(detail)) {
        return new DatabaseUnavailableError(
          "ETIMEDOUT",
          `cannot reach PostgreSQL at ${where} (no answer in time): start PostgreSQL, fix ALMA_DATABASE_URL, or unset it to use SQLite`,
          {
            cause: err,
          },
        );
      }
      return new DatabaseUnavailableError(code, `PostgreSQL at ${where} cannot be used (${detail}): check the server and ALMA_DATABASE_URL, ${fallback}`, {
        cause: err,
      });
  }
}
