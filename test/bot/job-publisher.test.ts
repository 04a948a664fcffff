/**
 * The job publisher on the real app and the real channel adapter, with a connector stub as the
 * activities' serviceUrl (no expectReplies: every reply, update and proactive message crosses HTTP as in
 * Teams): the cards of a request are remembered and updated in place at every change, the final message
 * is posted, approvals go where an approver asked, reminders come before expiry, and a conversation that
 * refuses does not stop the others or the job, is logged once per failure and is not retried in a loop.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import pino from 'pino';
import sinon from 'sinon';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { listJobMessages } from '../../src/services/jobs/job-repository';
import { cardActionActivity, cardText, messageActivity, postToBot } from '../support/bot-client';
import { startConnectorStub, type ConnectorRequest, type ConnectorStub } from '../support/connector-stub';
import { createFreshDatabase, type ScratchDatabase } from '../support/test-databases';

/** Conversation ids bot-client gives clients 0 and 1. */
const REQUESTERS = 'a:conversation-0';
const APPROVERS = 'a:conversation-1';
const DEMO_STAGES = ['Verifying the install image', 'Reloading image properties', 'Updating distribution points', 'Watching distribution'];

/** Everything the app logs, parsed. */
class LogLines extends Writable {
  readonly lines: Array<Record<string, unknown>> = [];
  override _write(chunk: Buffer, _encoding: BufferEncoding, done: () => void): void {
    for (const line of chunk.toString('utf8').split('\n')) if (line.trim() !== '') this.lines.push(JSON.parse(line) as Record<string, unknown>);
    done();
  }
}

function textOf(request: ConnectorRequest): string {
  const activity = request.activity ?? {};
  const attachments = (activity.attachments as Array<{ content?: unknown }> | undefined) ?? [];
  return [typeof activity.text === 'string' ? activity.text : '', ...attachments.map((attachment) => cardText(attachment.content))].join('\n');
}

/** The titles of a posted card's Approve and Reject buttons, joined (empty when it offers neither). */
function decisionButtons(request: ConnectorRequest): string {
  const titles: string[] = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (typeof record.verb === 'string' && /^job\.(approve|reject)$/.test(record.verb)) titles.push(String(record.title));
    Object.values(record).forEach(visit);
  };
  visit(request.activity?.attachments);
  return titles.join(', ');
}

async function eventually<T>(what: string, probe: () => Promise<T | undefined> | T | undefined, timeoutMs = 45_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} did not happen within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

describe('job publisher through the channel connector', function () {
  // The demo refresh plays out over ~15 s.
  this.timeout(90_000);

  let connector: ConnectorStub;
  let database: ScratchDatabase;
  let app: RunningApp | undefined;
  let logs: LogLines;

  async function start(env: Record<string, string> = {}, jobs: NonNullable<Parameters<typeof startApp>[1]>['jobs'] = {}): Promise<RunningApp> {
    app = await startApp(loadConfig({ PORT: '0', DATABASE_URL: database.url, ...env }), {
      logger: pino({ level: 'info' }, logs),
      jobs: { runnerPollMs: 200, ...jobs },
    });
    return app;
  }

  /** An activity from `client` that the bot answers through the connector, as Teams does. */
  function viaConnector(activity: Record<string, unknown>): Record<string, unknown> {
    const { deliveryMode: _expectReplies, ...rest } = activity;
    return { ...rest, serviceUrl: connector.url };
  }

  async function say(text: string, client = 0): Promise<ConnectorRequest[]> {
    const before = connector.requests.length;
    const { status, body } = await postToBot(app!.url, viaConnector(messageActivity(text, client)));
    assert.ok(status === 200 || status === 202, `the bot took "${text}": HTTP ${status} ${JSON.stringify(body)}`);
    return connector.requests.slice(before);
  }

  async function click(verb: string, data: Record<string, unknown>, client = 0): Promise<unknown> {
    const { status, body } = await postToBot(app!.url, viaConnector(cardActionActivity(verb, data, client)));
    assert.equal(status, 200, JSON.stringify(body));
    return body;
  }

  /** Asks for a refresh in the requesters' conversation; returns the job id and the ids the connector gave its two cards. */
  async function request(text = 'refresh PS100012 June CU'): Promise<{ jobId: string; jobCardId: string; approvalCardId: string }> {
    const replies = await say(text);
    const jobCard = replies.find((reply) => /Job [0-9A-Z]{5} · refresh/.test(textOf(reply)));
    const approvalCard = replies.find((reply) => /Refresh request · Job [0-9A-Z]{5}/.test(textOf(reply)));
    assert.ok(jobCard?.answeredId && approvalCard?.answeredId, `a job card and an approval card were posted: ${replies.map(textOf).join('\n---\n')}`);
    const jobId = /Job ([0-9A-Z]{5}) · refresh/.exec(textOf(jobCard))![1];
    return { jobId, jobCardId: jobCard.answeredId, approvalCardId: approvalCard.answeredId };
  }

  async function finished(jobId: string): Promise<void> {
    await eventually(`job ${jobId} ending`, async () => {
      const job = await app!.jobs.service.find(jobId);
      return job && !['awaiting_approval', 'approved', 'running'].includes(job.state) ? job : undefined;
    }, 60_000);
    await app!.jobs.publisher.settled();
  }

  const updatesOf = (conversationId: string, activityId: string) =>
    connector.requests.filter((r) => r.method === 'PUT' && r.conversationId === conversationId && r.activityId === activityId);
  const postsTo = (conversationId: string) => connector.requests.filter((r) => r.method === 'POST' && r.conversationId === conversationId);
  const refusalsLogged = (conversationId: string) =>
    logs.lines.filter((line) => line.conversationId === conversationId && line.msg === 'a conversation refused a job message for good');

  beforeEach(async () => {
    logs = new LogLines();
    connector = await startConnectorStub('answer');
    database = await createFreshDatabase('sqlite');
  });

  afterEach(async () => {
    sinon.restore();
    await app?.stop();
    app = undefined;
    await connector.stop();
    await database.drop();
  });

  it('remembers the ids the connector gave the job card and the approval card of a request', async () => {
    await start();
    const { jobId, jobCardId, approvalCardId } = await request();
    const remembered = await listJobMessages(app!.jobs.database.db, jobId);
    assert.deepEqual(
      remembered.map((message) => [message.role, message.conversationId, message.activityId]).sort(),
      [
        ['request', REQUESTERS, approvalCardId],
        ['requester', REQUESTERS, jobCardId],
      ],
    );
    assert.equal((remembered[0].reference as { serviceUrl?: string }).serviceUrl, connector.url, 'the reference reaches the conversation again');
  });

  it('updates both cards in place at each stage, ends on 4 of 4 distribution points, and posts the final message', async () => {
    await start();
    const { jobId, jobCardId, approvalCardId } = await request();
    await click('job.approve', { jobId, comment: 'go' });
    await finished(jobId);

    const jobCards = updatesOf(REQUESTERS, jobCardId).map(textOf);
    for (const stage of DEMO_STAGES) {
      assert.ok(jobCards.some((text) => text.includes(`Running: ${stage}`)), `the job card was updated to "${stage}"; it showed:\n${jobCards.map((t) => t.split('\n').find((l) => /^(Running|Succeeded|Approved|Waiting)/.test(l))).join('\n')}`);
    }
    assert.match(jobCards[jobCards.length - 1], /Succeeded: 26100\.8246 on 4 of 4 distribution points/);
    const approvals = updatesOf(REQUESTERS, approvalCardId).map(textOf);
    assert.ok(approvals.length >= 1, 'the approval card was updated');
    assert.match(approvals[approvals.length - 1], /Approved by Test user 0/);
    assert.ok(
      connector.requests.every((r) => r.method !== 'PUT' || r.conversationId === REQUESTERS),
      'updates go to the conversation the cards are in',
    );

    const final = postsTo(REQUESTERS).filter((r) => r.activity?.type === 'message' && /succeeded:/.test(textOf(r)));
    assert.equal(final.length, 1, 'one final message');
    assert.match(textOf(final[0]), new RegExp(`Job ${jobId} for Windows 11 24H2 Enterprise x64 \\(PS100012\\) succeeded: 26100\\.8246 is on all 4 distribution points`));
    const lastJobCardUpdate = connector.requests.lastIndexOf(updatesOf(REQUESTERS, jobCardId).at(-1)!);
    assert.ok(connector.requests.indexOf(final[0]) > lastJobCardUpdate, 'the final message comes after the card says so');
    assert.equal(connector.requests.filter((r) => r.status !== 200).length, 0);
  });

  it('in a channel, replies with the outcome in the thread the request was typed in, @mentioning the requester, instead of a new post', async () => {
    await start();
    const thread = '19:osd-team@thread.tacv2;messageid=1700000000123';
    const inChannel = (activity: Record<string, unknown>) => ({ ...activity, conversation: { id: thread, conversationType: 'channel', tenantId: '00000000-0000-4000-8000-0000000000aa' } });
    const { status } = await postToBot(app!.url, viaConnector(inChannel(messageActivity('refresh PS100012 from the channel'))));
    assert.ok(status === 200 || status === 202);
    const jobCard = await eventually('the job card', () => connector.requests.find((r) => r.method === 'POST' && /Job [0-9A-Z]{5} · refresh/.test(textOf(r))));
    const jobId = /Job ([0-9A-Z]{5}) · refresh/.exec(textOf(jobCard))![1];
    await postToBot(app!.url, viaConnector(inChannel(cardActionActivity('job.approve', { jobId, comment: '' }))));
    await finished(jobId);

    const outcome = connector.requests.filter((r) => r.method === 'POST' && /succeeded:/.test(textOf(r)));
    assert.equal(outcome.length, 1, 'one outcome message');
    assert.equal(outcome[0]!.conversationId, thread, 'a reply in the thread the request was typed in');
    assert.match(textOf(outcome[0]), /<at>Test user 0<\/at>$/);
    const entities = outcome[0]!.activity?.entities as Array<{ type: string; mentioned: { id: string; name: string } }>;
    assert.deepEqual(entities.map((e) => [e.type, e.mentioned.name]), [['mention', 'Test user 0']]);
  });

  it('posts the next approval card where an approver said "approvals here", and updates it there when decided', async () => {
    await start();
    const answer = await say('approvals here', 1);
    assert.match(answer.map(textOf).join('\n'), /Approval requests will be posted in this conversation/);
    const { jobId } = await request();
    await app!.jobs.publisher.settled();

    const posted = postsTo(APPROVERS).filter((r) => new RegExp(`Refresh request · Job ${jobId}`).test(textOf(r)));
    assert.equal(posted.length, 1, 'the approval card was posted to the approvers');
    const remembered = (await listJobMessages(app!.jobs.database.db, jobId)).find((message) => message.conversationId === APPROVERS);
    assert.deepEqual([remembered?.role, remembered?.activityId], ['approvers', posted[0].answeredId]);

    await click('job.reject', { jobId, comment: 'not this week' }, 1);
    await finished(jobId);
    const updated = updatesOf(APPROVERS, posted[0].answeredId!).map(textOf);
    assert.ok(updated.length >= 1, 'the approvers’ card was updated in place');
    assert.match(updated[updated.length - 1], /Rejected by Test user 1/);
    assert.match(updated[updated.length - 1], /not this week/);
    const told = postsTo(REQUESTERS).filter((r) => /was rejected/.test(textOf(r)));
    assert.equal(told.length, 1, 'the requester heard of it in their conversation');
    assert.match(textOf(told[0]), new RegExp(`Job ${jobId} for .* was rejected by Test user 1: “not this week”\\. Nothing was changed\\.`));
    assert.equal(postsTo(APPROVERS).filter((r) => /was rejected/.test(textOf(r))).length, 0, 'and not the approvers');
  });

  it('posts no second approval card when the approvers’ conversation is the one the request is made in', async () => {
    await start();
    await say('approvals here', 0);
    const replies = await say('refresh PS100012 June CU');
    await app!.jobs.publisher.settled();
    const jobId = /Job ([0-9A-Z]{5}) · refresh/.exec(replies.map(textOf).join('\n'))?.[1];
    assert.ok(jobId, 'the job card was posted');
    const approvalCards = connector.requests.filter((r) => r.method === 'POST' && new RegExp(`Refresh request · Job ${jobId}`).test(textOf(r)));
    assert.equal(approvalCards.length, 1, 'one approval card in the conversation');
    const remembered = await listJobMessages(app!.jobs.database.db, jobId);
    assert.deepEqual(remembered.map((message) => [message.role, message.conversationId]).sort(), [
      ['approvers', REQUESTERS],
      ['requester', REQUESTERS],
    ]);
    await click('job.reject', { jobId });
    await finished(jobId);
    assert.match(textOf(updatesOf(REQUESTERS, approvalCards[0].answeredId!).at(-1)!), /Rejected by Test user 0/, 'and it is the one updated');
  });

  it('reminds the approvers in their conversation before the request expires', async () => {
    // 6 min to decide: the reminder is due half-way.
    await start({ APPROVAL_TTL_HOURS: '0.1' });
    await say('approvals here', 1);
    const { jobId } = await request();
    await app!.jobs.publisher.settled();
    assert.equal(postsTo(APPROVERS).filter((r) => /expires in/.test(textOf(r))).length, 0, 'no reminder at once');

    // Only Date moves: the app's timers and sockets keep real time.
    sinon.useFakeTimers({ now: Date.now() + 4 * 60_000, toFake: ['Date'] });
    const { reminded } = await app!.jobs.service.sweep();
    assert.deepEqual(reminded.map((job) => job.id), [jobId]);
    await app!.jobs.publisher.settled();

    const reminders = postsTo(APPROVERS).filter((r) => /expires in/.test(textOf(r)));
    assert.equal(reminders.length, 1, 'one reminder');
    assert.match(textOf(reminders[0]), new RegExp(`Job ${jobId} expires in 2 min; Test user 0 asks to refresh Windows 11 24H2 Enterprise x64 \\(PS100012\\): “June CU”`));
    assert.equal(postsTo(REQUESTERS).filter((r) => /expires in/.test(textOf(r))).length, 0, 'not in the requesters’ chat');
    await app!.jobs.service.sweep();
    await app!.jobs.publisher.settled();
    assert.equal(postsTo(APPROVERS).filter((r) => /expires in/.test(textOf(r))).length, 1, 'reminded once');
  });

  it('updates both cards and tells the requester when nobody decided in time', async () => {
    await start({ APPROVAL_TTL_HOURS: '0.1' });
    const { jobId, jobCardId, approvalCardId } = await request();
    const asked = connector.requests.find((r) => r.answeredId === approvalCardId)!;
    assert.equal(decisionButtons(asked), 'Approve, Reject', 'the request offered both');
    sinon.useFakeTimers({ now: Date.now() + 7 * 60_000, toFake: ['Date'] });
    const { expired } = await app!.jobs.service.sweep();
    assert.deepEqual(expired.map((job) => job.id), [jobId]);
    await app!.jobs.publisher.settled();

    assert.match(textOf(updatesOf(REQUESTERS, jobCardId).at(-1)!), /Expired with no approval: nothing was changed/);
    assert.match(textOf(updatesOf(REQUESTERS, approvalCardId).at(-1)!), /expired/i);
    assert.equal(decisionButtons(updatesOf(REQUESTERS, approvalCardId).at(-1)!), '', 'no Approve or Reject left on it');
    const told = postsTo(REQUESTERS).filter((r) => /expired with/.test(textOf(r)));
    assert.equal(told.length, 1);
    assert.match(textOf(told[0]), new RegExp(`Job ${jobId} for .* expired with no approval; nothing was changed\\. Ask again with "refresh PS100012"`));
  });

  it('goes on with the job and the other conversations when one refuses, logging each refusal once and not retrying it', async () => {
    await start();
    await say('approvals here', 1);
    const { jobId, jobCardId } = await request();
    await app!.jobs.publisher.settled();
    assert.equal(postsTo(APPROVERS).length, 2, 'the answer to "approvals here" and the approval card');

    // The approvers' team removed the bot.
    connector.refuse.set(APPROVERS, 403);
    await click('job.approve', { jobId });
    await finished(jobId);

    const job = await app!.jobs.service.find(jobId);
    assert.equal(job?.state, 'succeeded', 'the job ran to its end');
    assert.match(updatesOf(REQUESTERS, jobCardId).map(textOf).at(-1) ?? '', /Succeeded: 26100\.8246 on 4 of 4 distribution points/, 'the requesters saw it');
    assert.equal(postsTo(REQUESTERS).filter((r) => /succeeded:/.test(textOf(r))).length, 1, 'and heard how it ended');

    const refused = connector.requests.filter((r) => r.conversationId === APPROVERS && r.status === 403);
    assert.ok(refused.length >= 1, 'the approvers’ card was tried');
    const requesterUpdates = connector.requests.filter((r) => r.method === 'PUT' && r.conversationId === REQUESTERS);
    // Each change updates each card once: the refusing conversation got no more tries than the requesters' approval card.
    assert.ok(refused.length <= requesterUpdates.length / 2, `tried ${refused.length} times for ${requesterUpdates.length / 2} changes`);
    assert.ok(refused.every((r) => r.method === 'PUT'), 'only updates were refused');
    assert.equal(refusalsLogged(APPROVERS).length, refused.length, 'each refusal logged once, as a refusal for good');
    assert.ok(refusalsLogged(APPROVERS).every((line) => line.status === 403 && line.permanent === true && line.jobId === jobId));
    assert.deepEqual(
      logs.lines.filter((line) => line.msg === 'could not deliver a reply to the channel' || line.msg === 'turn failed'),
      [],
      'nothing logged twice or as a failed turn',
    );
  });
});
