/**
 * A stored row the bot cannot read back (JSON that does not parse, a state it does not know, a date
 * that is not one). Rows are ours, but a hand edit, a bad restore or a newer version's data can put
 * such a row there; reading it must fail in a named way, never as a TypeError deep in a card.
 */
import { UserFacingError } from '../errors';

export class CorruptRecord extends UserFacingError {
  constructor(
    readonly table: string,
    readonly key: string,
    readonly problem: string,
  ) {
    super(`The bot's database holds a ${table} record (${key}) it cannot read; the bot logged the details for your administrator.`, {
      detail: `${table} ${key}: ${problem}`,
    });
  }
}

/** Where a listing reports the rows it skipped because they are corrupt (the service logs them). */
export type CorruptRecordSink = (error: CorruptRecord) => void;
