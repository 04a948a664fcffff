/**
 * The approvers' Teams user ids (29:…), which the approval card's per-user refresh must name: APPROVERS
 * holds Azure AD object ids, and Teams gives the matching user id only on that person's own turns.
 * Each approver's is remembered in the store when it is first seen or changes, so every instance and
 * every restart knows it.
 */
import type { Kysely } from 'kysely';
import { MAX_REFRESH_USER_IDS } from '../../cards/jobs/approval-card';
import type { Logger } from 'pino';
import { getSetting, setSetting } from '../../services/jobs/job-repository';
import type { Schema } from '../../services/store/schema';

const settingKey = (aadObjectId: string) => `teams-user:${aadObjectId.toLowerCase()}`;

export class ApproverDirectory {
  private readonly known = new Map<string, string>();
  private loaded: Promise<void> | undefined;

  constructor(
    private readonly options: { db: Kysely<Schema>; approvers: readonly string[]; logger: Logger; now?: () => Date },
  ) {}

  /** Called on every turn: remembers an approver's Teams user id when it is new or changed. */
  async note(actor: { aadObjectId?: string; userId: string }): Promise<void> {
    const aad = actor.aadObjectId?.toLowerCase();
    if (aad === undefined || !this.options.approvers.some((approver) => approver.toLowerCase() === aad)) return;
    await this.load();
    if (this.known.get(aad) === actor.userId) return;
    this.known.set(aad, actor.userId);
    await setSetting(this.options.db, settingKey(aad), { userId: actor.userId }, aad, (this.options.now ?? (() => new Date()))()).catch((error: unknown) =>
      this.options.logger.warn({ err: error }, "could not remember an approver's Teams user id"),
    );
  }

  async userIds(): Promise<string[]> {
    await this.load();
    return [...this.known.values()].slice(0, MAX_REFRESH_USER_IDS);
  }

  private load(): Promise<void> {
    this.loaded ??= (async () => {
      for (const approver of this.options.approvers) {
        const stored = await getSetting(this.options.db, settingKey(approver));
        const userId = (stored?.value as { userId?: unknown } | undefined)?.userId;
        if (typeof userId === 'string' && userId !== '') this.known.set(approver.toLowerCase(), userId);
      }
    })().catch((error: unknown) => {
      this.loaded = undefined;
      this.options.logger.warn({ err: error }, "could not read the approvers' Teams user ids");
    });
    return this.loaded;
  }
}
