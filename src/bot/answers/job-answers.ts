/**
 * The job commands and buttons → use cases → cards: `refresh`, `jobs`, `job <id>`, `cancel <id>`,
 * `approvals here`, and the Approve, Reject, Refresh, Cancel and per-user view buttons. Every answer
 * is one sentence or a card; a refusal says why and what to do next.
 */
import type { AdaptiveCard, CardContext } from '../../cards/kit/adaptive-card';
import { jobsListCard } from '../../cards/jobs/jobs-list-card';
import { jobTimelineCard } from '../../cards/jobs/job-timeline-card';
import { escapeText, shorten } from '../../cards/kit/text';
import { isApprover, type Decider } from '../../services/jobs/approvals';
import { isJobId, type Job, type JobOptions, type Verdict } from '../../services/jobs/job';
import { listJobMessages, setSetting } from '../../services/jobs/job-repository';
import { hygieneFor, type MediaHygienePolicy } from '../../services/jobs/media-hygiene';
import type { JobService } from '../../services/jobs/job-service';
import type { MediaPackage } from '../../services/media/media-package';
import type { ConversationAddress } from '../../services/notify/deliverer';
import type { Kysely } from 'kysely';
import type { Schema } from '../../services/store/schema';
import type { Command } from '../commands/command';
import { readRefreshRequest } from '../commands/refresh-request';
import type { MediaAnswers } from '../media-answers';
import { APPROVERS_CONVERSATION_SETTING, type JobMessageRole, type JobPublisher } from '../jobs/job-publisher';
import type { JobViews } from '../jobs/job-views';

/** Who is asking, and where. */
export interface JobTurn {
  person: Decider;
  address: ConversationAddress;
}

/** One reply of a turn; `track` asks the bot to remember the posted activity so that the card is updated in place. */
export interface JobReply {
  card?: AdaptiveCard;
  text?: string;
  track?: { jobId: string; role: JobMessageRole };
}

export type JobCommand = Extract<Command, { name: 'refresh' | 'jobs' | 'job' | 'cancel' | 'approvals-here' }>;

export function isJobCommand(command: Command): command is JobCommand {
  return ['refresh', 'jobs', 'job', 'cancel', 'approvals-here'].includes(command.name);
}

const MAX_SHOWN_QUERY = 60;

export class JobAnswers {
  constructor(
    private readonly options: {
      db: Kysely<Schema>;
      jobs: JobService;
      media: MediaAnswers;
      views: JobViews;
      publisher: JobPublisher;
      hygiene: MediaHygienePolicy;
      cardContext: () => CardContext;
      /** A job was approved: the runner looks for work now rather than at its next poll. */
      onApproved?: () => void;
      now?: () => Date;
    },
  ) {}

  async answer(command: JobCommand, turn: JobTurn): Promise<JobReply[]> {
    switch (command.name) {
      case 'refresh':
        return this.refresh(command.text, turn);
      case 'jobs':
        return [{ card: await this.jobsCard(command.filter) }];
      case 'job': {
        const id = command.jobId.trim();
        if (!isJobId(id)) return [{ text: notAJobId(id) }];
        return [{ card: await this.timelineCard(id) }];
      }
      case 'cancel': {
        const id = command.jobId.trim();
        if (!isJobId(id)) return [{ text: id === '' ? 'Say which job to cancel, for example "cancel K7P2Q"; type "jobs" to see them.' : notAJobId(id) }];
        const result = await this.options.jobs.cancel(id, turn.person);
        return [{ text: result.message }];
      }
      case 'approvals-here':
        return [{ text: await this.approvalsHere(turn) }];
    }
  }

  /** The media card's Refresh button: the same request as typing "refresh <id>". */
  async refreshPackage(packageId: string, turn: JobTurn): Promise<JobReply[]> {
    const pkg = this.options.media.packageById(packageId);
    if (!pkg) return [{ text: `Package ${packageId.toUpperCase()} is no longer on the site; type "list" to see the current media.` }];
    return this.request(pkg, '', {}, turn);
  }

  /** Approve or Reject: the card for the person who clicked, decided from stored state only. */
  async decide(
    jobId: string,
    verdict: Verdict,
    comment: string,
    turn: JobTurn,
  ): Promise<{ refused: true; message: string } | { refused: false; card: AdaptiveCard; message: string }> {
    const result = await this.options.jobs.decide(jobId, turn.person, verdict, comment);
    if (result.kind === 'refused') return { refused: true, message: result.message };
    if (result.kind === 'decided' && result.job.state === 'approved') this.options.onApproved?.();
    const view = await this.options.views.view(result.job.id);
    return { refused: false, card: await this.options.views.approvalFor(view, turn.person, result.message), message: result.message };
  }

  /** The approval card as this person should see it (Teams' per-user refresh). */
  async approvalView(jobId: string, turn: JobTurn): Promise<AdaptiveCard> {
    return this.options.views.approvalFor(await this.options.views.view(jobId), turn.person);
  }

  async jobCardOf(jobId: string): Promise<AdaptiveCard> {
    return this.options.views.jobCard(await this.options.views.view(jobId));
  }

  async timelineCard(jobId: string): Promise<AdaptiveCard> {
    const { view, events } = await this.options.views.viewWithEvents(jobId);
    return jobTimelineCard(view, events, this.options.cardContext());
  }

  async cancelFromCard(jobId: string, turn: JobTurn): Promise<{ card: AdaptiveCard; message: string; changed: boolean }> {
    const result = await this.options.jobs.cancel(jobId, turn.person);
    return { card: await this.jobCardOf(result.job.id), message: result.message, changed: result.changed };
  }

  async jobsCard(filter: string): Promise<AdaptiveCard> {
    const text = filter.trim();
    let packageId: string | undefined;
    if (text !== '') {
      const lookup = this.options.media.packageForRequest(text.split(' '));
      packageId = lookup.match === 'one' ? lookup.pkg.id : text.toUpperCase();
    }
    const jobs = await this.options.jobs.recent({ packageId, limit: 20 });
    return jobsListCard({ jobs, filter: text, now: (this.options.now ?? (() => new Date()))() }, this.options.cardContext());
  }

  /** Posts replies outside a turn (after a button press), remembering the tracked ones. */
  async postReplies(replies: readonly JobReply[], address: ConversationAddress): Promise<void> {
    for (const reply of replies) {
      const posted = await this.options.publisher.post(address, { card: reply.card, text: reply.text });
      if (reply.track) await this.posted(reply.track, address, posted?.activityId);
    }
  }

  /** After a reply was posted: its activity id, so that the job's changes update it in place. */
  async posted(track: NonNullable<JobReply['track']>, address: ConversationAddress, activityId: string | undefined): Promise<void> {
    if (activityId) await this.options.publisher.remember(track.jobId, track.role, address, activityId);
  }

  private async refresh(text: string, turn: JobTurn): Promise<JobReply[]> {
    const request = readRefreshRequest(text);
    if (request.packageId === undefined && request.words.length === 0) {
      return [{ text: 'Say which package to refresh, for example "refresh PS100012 June cumulative update"; type "list" to see the media.' }];
    }
    if (request.packageId !== undefined) {
      const pkg = this.options.media.packageById(request.packageId);
      if (!pkg) return [{ text: `There is no package ${request.packageId} on the site; type "list" to see the media.` }];
      return this.request(pkg, request.reason ?? '', request.options, turn);
    }
    const lookup = this.options.media.packageForRequest(request.words);
    const shown = escapeText(shorten(request.words.join(' '), MAX_SHOWN_QUERY));
    switch (lookup.match) {
      case 'one':
        return this.request(lookup.pkg, request.reason ?? lookup.reason ?? '', request.options, turn);
      case 'many': {
        const ids = lookup.candidates.slice(0, 5).map((pkg) => `${pkg.id} (${escapeText(shorten(pkg.name, 60))})`);
        const more = lookup.candidates.length > 5 ? ` and ${lookup.candidates.length - 5} more` : '';
        return [{ text: `"${shown}" names ${lookup.candidates.length} packages: ${ids.join(', ')}${more}; say "refresh <package id> [reason]" for the one you mean.` }];
      }
      case 'none':
        return [{ text: `No package is named "${shown}"; type "list" to see the media, then "refresh <package id> [reason]".` }];
    }
  }

  private async request(pkg: MediaPackage, reason: string, asked: JobOptions, turn: JobTurn): Promise<JobReply[]> {
    const options = hygieneFor(this.options.hygiene, pkg.id, asked);
    const outcome = await this.options.jobs.request(pkg, { id: turn.person.aadObjectId ?? turn.person.id, name: turn.person.name }, reason, options);
    const view = await this.options.views.view(outcome.job.id);
    if (outcome.kind === 'active') {
      return [{ text: activeJobSentence(outcome.job), card: this.options.views.jobCard(view) }];
    }
    const jobReply: JobReply = { card: this.options.views.jobCard(view), track: { jobId: outcome.job.id, role: 'requester' } };
    // Asked in the approvers' own conversation: the publisher posted the approval card here as the request was made.
    const approvalPostedHere = (await listJobMessages(this.options.db, outcome.job.id)).some((message) => message.conversationId === turn.address.conversationId);
    if (approvalPostedHere) return [jobReply];
    return [jobReply, { card: await this.options.views.approvalForEveryone(view), track: { jobId: outcome.job.id, role: 'request' } }];
  }

  private async approvalsHere(turn: JobTurn): Promise<string> {
    const { policy } = this.options.jobs;
    if (!isApprover(policy, turn.person)) {
      return 'Only an approver named in APPROVERS can choose where approval requests go; ask one of them to say "approvals here".';
    }
    await setSetting(this.options.db, APPROVERS_CONVERSATION_SETTING, { ...turn.address }, turn.person.aadObjectId ?? turn.person.id, (this.options.now ?? (() => new Date()))());
    return 'Approval requests will be posted in this conversation from now on, as well as where each request is made.';
  }
}

function notAJobId(typed: string): string {
  return `"${escapeText(shorten(typed, 20))}" is not a job id; a job id has five letters and digits, such as K7P2Q; type "jobs" to see them.`;
}

function activeJobSentence(job: Job): string {
  const state = job.state === 'awaiting_approval' ? 'waiting for approval' : job.state === 'approved' ? 'approved and about to start' : 'running';
  return `${job.packageId} already has job ${job.id} (${state}); one refresh at a time per package, so type "job ${job.id}" to follow it.`;
}
