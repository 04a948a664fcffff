/**
 * Why the bot could not open its database, as one sentence naming DATABASE_URL and what to do.
 * Sentences show the host, port, database and user, never the password; the driver's error stays in
 * `cause` for the log.
 */
import { UserFacingError } from '../errors';

/** DATABASE_URL is neither sqlite:… nor postgres(ql)://… (or cannot be read as a URL). */
export class DatabaseUrlInvalid extends UserFacingError {
  constructor(detail: string) {
    super(
      'DATABASE_URL must be sqlite:<file path>, sqlite::memory: or postgres://user:password@host:5432/database; correct it and restart the bot.',
      { detail },
    );
  }
}

/** The database named by DATABASE_URL could not be opened or prepared (server down, refused login, unwritable file). */
export class DatabaseUnavailable extends UserFacingError {
  constructor(userMessage: string, cause: unknown) {
    super(userMessage, { cause, detail: `${userMessage} (${describeCause(cause)})` });
  }
}

function describeCause(cause: unknown): string {
  if (cause instanceof Error) {
    const code = (cause as { code?: unknown }).code;
    return typeof code === 'string' ? `${code}: ${cause.message}` : cause.message;
  }
  return String(cause);
}
