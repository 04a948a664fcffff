/**
 * Refresh jobs through the bot's front door: chat commands and card buttons over real HTTP against
 * startApp, on the demo site (anyone may approve) and on a "real" site (an AdminService simulator
 * with APPROVERS set), acting as several people. Every refusal must be one clear sentence, and no
 * button data can decide anything the stored state does not allow.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import sinon from 'sinon';
import { startApp, type RunningApp } from '../../src/app';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { AdminServiceSimulator } from '../../src/services/demo/admin-service-simulator';
import { createDemoSite } from '../../src/services/demo/demo-site';
import type { JobEventKind } from '../../src/services/jobs/job';
import { getSetting } from '../../src/services/jobs/job-repository';
import { baseActivity, cardOf, cardText, postToBot, type ReplyActivity } from '../support/bot-client';
import { displayed } from '../support/displayed-text';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const CAROL = '33333333-3333-4333-8333-333333333333';
const MALLORY = '99999999-9999-4999-8999-999999999999';

interface Who {
  id: string;
  name: string;
  aadObjectId: string;
}
const alice: Who = { id: '29:alice', name: 'Alice Ashby', aadObjectId: ALICE };
const bob: Who = { id: '29:bob', name: 'Bob Baker', aadObjectId: BOB };
const carol: Who = { id: '29:carol', name: 'Carol Cole', aadObjectId: CAROL };
const mallory: Who = { id: '29:mallory', name: 'Mallory Moss', aadObjectId: MALLORY };

const silent = createLogger({ level: 'silent' });
const JOB_ID = /Job ([23456789A-Z]{5})/;

interface InvokeAnswer {
  status: number;
  body: { statusCode: number; type: string; value: unknown };
}

/** A sentence a person reads: one line, ends like a sentence, no stack or error internals. */
function assertOneSentence(text: unknown, why = ''): asserts text is string {
  assert.equal(typeof text, 'string', `${why}: ${JSON.stringify(text)}`);
  const sentence = text as string;
  assert.ok(!sentence.includes('\n'), `one line: ${sentence}`);
  assert.match(sentence, /[.!?]$/, `ends as a sentence: ${sentence}`);
  assert.ok(sentence.length < 600, `short: ${sentence}`);
  assert.doesNotMatch(sentence, /\bat .*\(.*:\d+:\d+\)|Error:|undefined|null|\[object|SQLITE|syntax|stack/i, `no internals: ${sentence}`);
}

function chat(app: () => RunningApp) {
  async function sayAs(who: Who, text: string): Promise<ReplyActivity[]> {
    const activity = { ...baseActivity(0), type: 'message', text, from: who, conversation: { id: `a:${who.name}`, conversationType: 'personal', tenantId: '00000000-0000-4000-8000-0000000000aa' } };
    const { status, body } = await postToBot(app().url, activity);
    assert.equal(status, 200, JSON.stringify(body));
    return (body as { activities: ReplyActivity[] }).activities;
  }
  async function press(who: Who, verb: string, data: unknown, extra: Record<string, unknown> = {}): Promise<InvokeAnswer> {
    const activity = {
      ...baseActivity(0),
      type: 'invoke',
      name: 'adaptiveCard/action',
      from: who,
      value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
      ...extra,
    };
    const { status, body } = await postToBot(app().url, activity);
    assert.equal(status, 200, JSON.stringify(body));
    const answer = (body as { activities: Array<{ type: string; value: InvokeAnswer }> }).activities.find((a) => a.type === 'invokeResponse');
    assert.ok(answer, JSON.stringify(body));
    return answer.value;
  }
  /** The one sentence a reply list is. */
  function sentenceOf(replies: ReplyActivity[]): string {
    assert.equal(replies.length, 1, JSON.stringify(replies));
    assertOneSentence(replies[0].text);
    return replies[0].text;
  }
  /** A refresh that creates a job: the job card and the approval card, both naming the job. */
  async function requestAs(who: Who, text: string): Promise<{ id: string; jobCard: string; approvalCard: string }> {
    const replies = await sayAs(who, text);
    assert.equal(replies.length, 2, JSON.stringify(replies.map((r) => r.text ?? 'card')));
    const jobCard = cardText(cardOf(replies[0]));
    const approvalCard = cardText(cardOf(replies[1]));
    const id = JOB_ID.exec(jobCard)?.[1];
    assert.ok(id, jobCard);
    assert.equal(JOB_ID.exec(approvalCard)?.[1], id, 'both cards show the same job');
    return { id, jobCard, approvalCard };
  }
  function messageOf(answer: InvokeAnswer): string {
    assert.equal(answer.status, 200);
    assert.equal(answer.body.type, 'application/vnd.microsoft.activity.message', JSON.stringify(answer.body).slice(0, 500));
    assertOneSentence(answer.body.value);
    return answer.body.value;
  }
  function cardTextOfAnswer(answer: InvokeAnswer): string {
    assert.equal(answer.status, 200);
    assert.equal(answer.body.type, 'application/vnd.microsoft.card.adaptive', JSON.stringify(answer.body).slice(0, 500));
    return cardText(answer.body.value);
  }
  return { sayAs, press, sentenceOf, requestAs, messageOf, cardTextOfAnswer };
}

/** Cancels every active job between tests, so each test starts with every package free. */
async function cancelActive(app: RunningApp, as: Who): Promise<void> {
  for (const job of await app.jobs.service.recent({ limit: 100 })) {
    if (['awaiting_approval', 'approved', 'running'].includes(job.state)) {
      await app.jobs.service.cancel(job.id, { id: as.id, name: as.name, aadObjectId: as.aadObjectId });
    }
  }
}

describe('refresh jobs over HTTP on the demo site (no APPROVERS)', function () {
  this.timeout(30_000);
  let app: RunningApp;
  let directory: string;
  const { sayAs, press, sentenceOf, requestAs, messageOf, cardTextOfAnswer } = chat(() => app);

  before(async () => {
    directory = mkdtempSync(join(tmpdir(), 'umb-refresh-jobs-'));
    app = await startApp(loadConfig({ PORT: '0', DATABASE_URL: `sqlite:${join(directory, 'bot.db')}` }), {
      logger: silent,
      rateLimit: false,
      jobs: { runnerStopped: true, sweepIntervalMs: 50 },
    });
  });
  after(async () => {
    await app?.stop();
    rmSync(directory, { recursive: true, force: true });
  });
  afterEach(async () => cancelActive(app, alice));

  it('answers "refresh PS100012 June CU" with a job card and an approval card that say anyone may approve', async () => {
    const { id, jobCard, approvalCard } = await requestAs(alice, 'refresh PS100012 June CU');
    for (const card of [jobCard, approvalCard]) assert.match(card, /Demo: anyone may approve, including the requester/);
    assert.match(approvalCard, /Alice Ashby/);
    assert.match(approvalCard, /June CU/);
    const job = await app.jobs.service.find(id);
    assert.equal(job?.state, 'awaiting_approval');
    assert.deepEqual(job?.requester, { id: ALICE, name: 'Alice Ashby' });
    assert.equal(job?.reason, 'June CU');
    assert.equal(job?.packageId, 'PS100012');
  });

  it('lets the requester approve their own request on the demo site', async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    const text = cardTextOfAnswer(await press(alice, 'job.approve', { jobId: id, comment: 'self' }));
    assert.match(text, new RegExp(`You approved job ${id}; it starts now\\.`));
    assert.equal((await app.jobs.service.find(id))?.state, 'approved');
  });

  it('points a second refresh of the package at the first job', async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    const replies = await sayAs(bob, 'refresh PS100012 again');
    assert.equal(replies[0].text, `PS100012 already has job ${id} (waiting for approval); one refresh at a time per package, so type "job ${id}" to follow it.`);
    assert.equal(JOB_ID.exec(cardText(cardOf(replies[0])))?.[1], id);
    assert.equal((await app.jobs.service.recent({ packageId: 'PS100012' })).filter((j) => j.state === 'awaiting_approval').length, 1);
  });

  it('finds the package by its name, the reason after the colon', async () => {
    const { id } = await requestAs(alice, 'refresh Windows 11 24H2 Enterprise x64: June CU');
    const job = await app.jobs.service.find(id);
    assert.equal(job?.packageId, 'PS100012');
    assert.equal(job?.reason, 'June CU');
  });

  const sentences: Array<{ why: string; text: string; expect: RegExp }> = [
    { why: 'a name that fits several packages lists their ids', text: 'refresh Windows 11 24H2', expect: /^"Windows 11 24H2" names \d+ packages: .*PS100012 \(Windows 11 24H2 Enterprise x64\).*; say "refresh <package id> \[reason\]" for the one you mean\.$/ },
    { why: 'an unknown package id', text: 'refresh PS999999', expect: /^There is no package PS999999 on the site; type "list" to see the media\.$/ },
    { why: 'a name that fits nothing', text: 'refresh Windows 95 Plus', expect: /^No package is named "Windows 95 Plus"; type "list" to see the media/ },
    { why: 'no package at all', text: 'refresh', expect: /^Say which package to refresh, for example "refresh PS100012/ },
    { why: 'a job id of the wrong shape', text: 'job ZZZZ', expect: /^"ZZZZ" is not a job id; a job id has five letters and digits, such as K7P2Q/ },
    { why: 'a well-formed job id nobody has', text: 'job K7P2Q', expect: /^There is no job K7P2Q; type "jobs" to see the recent ones\.$/ },
    { why: 'cancelling a job nobody has', text: 'cancel K7P2Q', expect: /^There is no job K7P2Q; type "jobs" to see the recent ones\.$/ },
    { why: 'cancel without an id', text: 'cancel', expect: /^Say which job to cancel, for example "cancel K7P2Q"/ },
  ];
  for (const row of sentences) {
    it(`answers ${row.why} with one sentence and creates nothing`, async () => {
      const before = (await app.jobs.service.recent({ limit: 100 })).length;
      assert.match(sentenceOf(await sayAs(alice, row.text)), row.expect);
      assert.equal((await app.jobs.service.recent({ limit: 100 })).length, before);
    });
  }

  it('shows a hostile reason verbatim on both cards and refuses an overlong command', async () => {
    const hostile = 'June ${requester} ${job.id} {{DATE(2026-01-01T00:00:00Z, SHORT)}} **bold** "q" 日本語';
    const { id, jobCard, approvalCard } = await requestAs(alice, `refresh PS100012 ${hostile}`);
    assert.equal((await app.jobs.service.find(id))?.reason, hostile);
    for (const card of [jobCard, approvalCard]) {
      assert.ok(displayed(card).includes(hostile), card);
      assert.ok(!card.includes('{{DATE(2026-01-01'), 'a date function typed by a user is not evaluated by Teams');
      assert.ok(!card.includes('**bold**'), 'markdown typed by a user is shown, not applied');
    }
    await app.jobs.service.cancel(id, { id: alice.id, name: alice.name, aadObjectId: ALICE });
    // A command longer than any command is refused before it reaches the job service.
    const before = (await app.jobs.service.recent({ limit: 100 })).length;
    const refused = cardText(cardOf((await sayAs(alice, `refresh PS100012 ${'x'.repeat(3000)}`))[0]));
    assert.match(refused, /That message is 3017 characters long, more than any command/);
    assert.equal((await app.jobs.service.recent({ limit: 100 })).length, before);
  });

  it('lists jobs with "jobs" and "jobs PS100012", and shows the timeline with "job <id>"', async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    for (const text of ['jobs', 'jobs PS100012', `jobs Windows 11 24H2 Enterprise x64`]) {
      const replies = await sayAs(bob, text);
      assert.equal(replies.length, 1);
      assert.match(cardText(cardOf(replies[0])), new RegExp(`Job ${id} · Windows 11 24H2 Enterprise x64`), text);
    }
    assert.doesNotMatch(cardText(cardOf((await sayAs(bob, 'jobs PS100015'))[0])), new RegExp(id));
    const timeline = cardText(cardOf((await sayAs(bob, `job ${id.toLowerCase()}`))[0]));
    assert.match(timeline, new RegExp(`Job ${id} · timeline`));
    assert.match(timeline, /Alice Ashby asked to refresh Windows 11 24H2 Enterprise x64/);
  });

  it('cancels a waiting job with "cancel <id>"', async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    assert.equal(sentenceOf(await sayAs(alice, `cancel ${id}`)), `Job ${id} is cancelled; nothing had been changed.`);
    assert.equal((await app.jobs.service.find(id))?.state, 'cancelled');
    assert.equal(sentenceOf(await sayAs(alice, `cancel ${id}`)), `Job ${id} has already ended (cancelled); nothing to cancel.`);
  });

  it("creates a job from the media detail card's Refresh button", async () => {
    const replies = await sayAs(alice, 'PS100012');
    const card = cardOf(replies[0]);
    const actions: Array<{ verb?: string; data?: unknown }> = [];
    const visit = (node: unknown): void => {
      if (Array.isArray(node)) return node.forEach(visit);
      if (node === null || typeof node !== 'object') return;
      const record = node as Record<string, unknown>;
      if (record.type === 'Action.Execute') actions.push(record as { verb?: string; data?: unknown });
      Object.values(record).forEach(visit);
    };
    visit(card);
    const refresh = actions.find((action) => action.verb === 'job.refresh');
    assert.ok(refresh, `the detail card has a Refresh button: ${JSON.stringify(actions.map((a) => a.verb))}`);
    assert.deepEqual(refresh.data, { packageId: 'PS100012' });
    const text = cardTextOfAnswer(await press(alice, 'job.refresh', refresh.data));
    const id = JOB_ID.exec(text)?.[1];
    assert.ok(id, text);
    const job = await app.jobs.service.find(id);
    assert.equal(job?.state, 'awaiting_approval');
    assert.equal(job?.requester.id, ALICE);
    // A second press points at the same job.
    const again = cardTextOfAnswer(await press(bob, 'job.refresh', { packageId: 'ps100012' }));
    assert.equal(JOB_ID.exec(again)?.[1], id);
  });

  it('answers a Refresh button for a package that is not on the site, or with a bad id, with a sentence', async () => {
    assert.equal(messageOf(await press(alice, 'job.refresh', { packageId: 'PS10FFFF' })), 'Package PS10FFFF is no longer on the site; type "list" to see the current media.');
    const bad = await press(alice, 'job.refresh', { packageId: '../../etc' });
    assert.equal(bad.body.statusCode, 400);
    assert.equal((bad.body.value as { message: string }).message, 'This button carries no valid package id; type "list" to pick the package again.');
  });

  it('settles 50 people pressing Approve at once as one approval; the other 49 read one sentence', async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    const people: Who[] = Array.from({ length: 50 }, (_, i) => ({ id: `29:p${i}`, name: `Person ${i}`, aadObjectId: `55555555-5555-4555-8555-${String(i).padStart(12, '0')}` }));
    const answers = await Promise.all(people.map((who) => press(who, 'job.approve', { jobId: id })));
    const cards = answers.filter((a) => a.body.type === 'application/vnd.microsoft.card.adaptive');
    assert.equal(cards.length, 1, JSON.stringify(answers.filter((a) => a.body.type !== 'application/vnd.microsoft.card.adaptive').map((a) => a.body.value)).slice(0, 400));
    assert.match(cardText(cards[0].body.value), new RegExp(`You approved job ${id}; it starts now\\.`));
    for (const answer of answers.filter((a) => a !== cards[0])) assert.match(messageOf(answer), new RegExp(`^Job ${id} is already approved|being decided by someone else`));
    const details = await app.jobs.service.details(id);
    assert.equal(details.approvals.length, 1);
    assert.equal(details.events.filter((e) => e.kind === 'approved').length, 1);
  });

  it('counts 20 simultaneous presses by one person once', async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    const answers = await Promise.all(Array.from({ length: 20 }, () => press(bob, 'job.approve', { jobId: id })));
    assert.equal(answers.filter((a) => a.body.type === 'application/vnd.microsoft.card.adaptive').length, 1);
    assert.equal((await app.jobs.service.details(id)).approvals.length, 1);
  });

  it("the app's sweep reminds once before the deadline and expires the request after it; a late click is told so", async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    const clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    try {
      const kinds = async () => (await app.jobs.service.details(id)).events.map((e) => e.kind);
      const until = async (kind: JobEventKind) => {
        for (let i = 0; i < 100 && !(await kinds()).includes(kind); i++) await new Promise((resolve) => setImmediate(resolve)).then(() => new Promise((resolve) => setTimeout(resolve, 20)));
      };
      clock.setSystemTime(Date.now() + 23 * 3_600_000);
      await until('reminded');
      await new Promise((resolve) => setTimeout(resolve, 200));
      assert.deepEqual(await kinds(), ['requested', 'reminded'], 'reminded once, not expired yet');
      clock.setSystemTime(Date.now() + 3_600_000 + 1_000);
      await until('expired');
      assert.deepEqual(await kinds(), ['requested', 'reminded', 'expired']);
      assert.equal(messageOf(await press(bob, 'job.approve', { jobId: id })), `Job ${id} is expired, so there is nothing left to decide; type "job ${id}" to see what happened.`);
      assert.match(cardText(cardOf((await sayAs(alice, `job ${id}`))[0])), /The request expired before it was decided/);
    } finally {
      clock.restore();
    }
  });

  it('stores "approvals here" from anyone on the demo site', async () => {
    assert.match(sentenceOf(await sayAs(mallory, 'approvals here')), /^Approval requests will be posted in this conversation from now on/);
    const setting = await getSetting(app.jobs.database.db, 'approvers-conversation');
    assert.equal((setting?.value as { conversationId?: string }).conversationId, 'a:Mallory Moss');
  });
});

/** A real site URL (the demo site's data on a simulator, so not the demo's policy) with APPROVERS and a fresh store. */
async function startSiteWithApprovers(env: Record<string, string>): Promise<{ app: RunningApp; simulator: AdminServiceSimulator; directory: string }> {
  const directory = mkdtempSync(join(tmpdir(), 'umb-refresh-jobs-'));
  const simulator = new AdminServiceSimulator({ site: createDemoSite() });
  const url = await simulator.start();
  const app = await startApp(
    loadConfig({ PORT: '0', CM_ADMINSERVICE_URL: url, CM_AUTH: 'none', MEDIA_PATH_MAP: '', DATABASE_URL: `sqlite:${join(directory, 'bot.db')}`, ...env }),
    { logger: silent, rateLimit: false, jobs: { runnerStopped: true } },
  );
  return { app, simulator, directory };
}

describe('refresh jobs over HTTP on a site with APPROVERS', function () {
  this.timeout(30_000);
  let app: RunningApp;
  let simulator: AdminServiceSimulator;
  let directory: string;
  let clock: sinon.SinonFakeTimers | undefined;
  const { sayAs, press, sentenceOf, requestAs, messageOf, cardTextOfAnswer } = chat(() => app);

  before(async () => {
    ({ app, simulator, directory } = await startSiteWithApprovers({ APPROVERS: `${BOB},${CAROL.toUpperCase()}` }));
  });
  after(async () => {
    await app?.stop();
    await simulator?.stop();
    rmSync(directory, { recursive: true, force: true });
  });
  afterEach(async () => {
    clock?.restore();
    clock = undefined;
    await cancelActive(app, bob);
  });

  async function eventKinds(id: string): Promise<string[]> {
    return (await app.jobs.service.details(id)).events.map((e) => e.kind);
  }

  it('shows the approvers policy on both cards, not the demo one', async () => {
    const { jobCard, approvalCard } = await requestAs(alice, 'refresh PS100012 June CU');
    for (const card of [jobCard, approvalCard]) {
      assert.doesNotMatch(card, /anyone may approve/i);
      assert.match(card, /Needs 1 approval from the 2 approvers; none so far/);
    }
  });

  it('answers Approve from a non-approver with the sentence, leaves the card and the job as they were', async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    const before = await app.jobs.service.find(id);
    const sentence = messageOf(await press(mallory, 'job.approve', { jobId: id, comment: 'let me' }));
    assert.equal(sentence, `Only the approvers named in APPROVERS can decide on job ${id}; ask one of them to approve or reject it.`);
    assert.deepEqual(await app.jobs.service.find(id), before);
    assert.deepEqual(await eventKinds(id), ['requested', 'decision_refused']);
  });

  it('refuses an approver approving their own request', async () => {
    const { id } = await requestAs(bob, 'refresh PS100012 June CU');
    assert.equal(messageOf(await press(bob, 'job.approve', { jobId: id })), `You asked for job ${id}, so another approver must decide on it.`);
    assert.equal((await app.jobs.service.find(id))?.state, 'awaiting_approval');
  });

  it("lets an approver approve: the card shows who decided; a double click and a late click are refused politely", async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    const text = cardTextOfAnswer(await press(bob, 'job.approve', { jobId: id, comment: 'go ahead' }));
    assert.match(text, new RegExp(`You approved job ${id}; it starts now\\.`));
    assert.match(text, /Bob Baker/);
    assert.match(text, /go ahead/);
    assert.equal((await app.jobs.service.find(id))?.state, 'approved');
    const already = `Job ${id} is already approved, so there is nothing left to decide; type "job ${id}" to see what happened.`;
    assert.equal(messageOf(await press(bob, 'job.approve', { jobId: id })), already);
    assert.equal(messageOf(await press(carol, 'job.reject', { jobId: id })), already);
    const details = await app.jobs.service.details(id);
    assert.equal(details.approvals.length, 1);
    assert.equal(details.job.state, 'approved');
  });

  it('lets an approver reject; the job ends rejected', async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    const text = cardTextOfAnswer(await press(carol, 'job.reject', { jobId: id, comment: 'not now' }));
    assert.match(text, new RegExp(`You rejected job ${id}; it will not run\\.`));
    assert.equal((await app.jobs.service.find(id))?.state, 'rejected');
  });

  it('decides nothing from smuggled card data', async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    for (const data of [
      { jobId: id, verdict: 'approve', approved: true },
      { jobId: id, approved: true, approvers: [MALLORY], requiredApprovals: 0, state: 'approved' },
      { jobId: id, from: { aadObjectId: BOB }, aadObjectId: BOB },
    ]) {
      assert.match(messageOf(await press(mallory, 'job.approve', data)), /^Only the approvers named in APPROVERS can decide/);
    }
    assert.equal((await app.jobs.service.find(id))?.state, 'awaiting_approval');
    // The verb decides what a click does, never the data: Reject with "verdict: approve" rejects.
    const text = cardTextOfAnswer(await press(bob, 'job.reject', { jobId: id, verdict: 'approve', approved: true }));
    assert.match(text, /You rejected job/);
    assert.equal((await app.jobs.service.find(id))?.state, 'rejected');
  });

  it("answers a button naming a job that does not exist with a sentence, and changes no other job", async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    const other = id === 'K7P2Q' ? 'K7P2R' : 'K7P2Q';
    assert.equal(messageOf(await press(bob, 'job.approve', { jobId: other })), `There is no job ${other}; type "jobs" to see the recent ones.`);
    assert.equal((await app.jobs.service.find(id))?.state, 'awaiting_approval');
  });

  for (const jobId of ['K7P2', 'K7P2QQ', 'K7P0Q', "K7P2Q' or 1=1 --", '', 42, null, ['K7P2Q'], { id: 'K7P2Q' }]) {
    it(`answers a job id of the wrong shape (${JSON.stringify(jobId)}) with 400 and the route's sentence`, async () => {
      const answer = await press(bob, 'job.approve', { jobId });
      assert.equal(answer.body.statusCode, 400);
      const message = (answer.body.value as { message: string }).message;
      assert.equal(message, 'This button carries no valid job id; type "jobs" to see the jobs.');
    });
  }

  it('refuses to approve an expired request (clock moved past APPROVAL_TTL_HOURS)', async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    clock = sinon.useFakeTimers({ now: Date.now(), toFake: ['Date'] });
    clock.setSystemTime(Date.now() + 24 * 3_600_000 + 1_000);
    assert.equal(messageOf(await press(bob, 'job.approve', { jobId: id })), `Job ${id} expired before it was decided; ask for the refresh again with "refresh PS100012".`);
    assert.equal((await app.jobs.service.find(id))?.state, 'expired');
    assert.deepEqual(await eventKinds(id), ['requested', 'expired', 'decision_refused']);
  });

  it("answers Teams' automatic refresh of Approve with the person's view, deciding nothing", async () => {
    const { id: second } = await requestAs(alice, 'refresh PS100012 June CU');
    for (const verb of ['job.approve', 'job.reject']) {
      const automatic = await postToBot(app.url, {
        ...baseActivity(0),
        type: 'invoke',
        name: 'adaptiveCard/action',
        from: bob,
        value: { action: { type: 'Action.Execute', verb, data: { jobId: second } }, trigger: 'automatic' },
      });
      const value = (automatic.body as { activities: Array<{ type: string; value: InvokeAnswer }> }).activities.find((a) => a.type === 'invokeResponse')?.value;
      assert.equal(value?.body.type, 'application/vnd.microsoft.card.adaptive', JSON.stringify(value));
      assert.match(cardText(value?.body.value), new RegExp(`Job ${second}`));
    }
    assert.equal((await app.jobs.service.find(second))?.state, 'awaiting_approval');
    assert.deepEqual(await eventKinds(second), ['requested']);
  });

  it('refuses "approvals here" from a non-approver and stores it from an approver', async () => {
    assert.equal(
      sentenceOf(await sayAs(mallory, 'approvals here')),
      'Only an approver named in APPROVERS can choose where approval requests go; ask one of them to say "approvals here".',
    );
    assert.equal(await getSetting(app.jobs.database.db, 'approvers-conversation'), undefined);
    assert.match(sentenceOf(await sayAs(carol, 'approvals here')), /^Approval requests will be posted in this conversation from now on/);
    const setting = await getSetting(app.jobs.database.db, 'approvers-conversation');
    assert.equal((setting?.value as { conversationId?: string }).conversationId, 'a:Carol Cole');
    assert.equal(setting?.updatedBy, CAROL);
  });

  it("answers the job card's Cancel button pressed by someone who neither asked nor approves with the sentence", async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    assert.equal(messageOf(await press(mallory, 'job.cancel', { jobId: id })), `Only the requester or an approver can cancel job ${id}.`);
    assert.equal((await app.jobs.service.find(id))?.state, 'awaiting_approval');
  });

  it("answers the Cancel button of a job that has ended with the sentence, and redraws the card of one it cancels", async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    const text = cardTextOfAnswer(await press(alice, 'job.cancel', { jobId: id }));
    assert.match(text, new RegExp(`Job ${id}`));
    assert.match(text, /[Cc]ancelled/);
    assert.equal((await app.jobs.service.find(id))?.state, 'cancelled');
    assert.equal(messageOf(await press(alice, 'job.cancel', { jobId: id })), `Job ${id} has already ended (cancelled); nothing to cancel.`);
  });

  for (const verb of ['job.view', 'job.timeline', 'job.approval', 'job.cancel', 'job.reject']) {
    it(`answers ${verb} for a job that does not exist with one sentence`, async () => {
      assert.equal(messageOf(await press(bob, verb, { jobId: 'K7P2Q' })), 'There is no job K7P2Q; type "jobs" to see the recent ones.');
    });
  }

  it('refuses a cancel by someone who neither asked nor approves', async () => {
    const { id } = await requestAs(alice, 'refresh PS100012 June CU');
    assert.equal(sentenceOf(await sayAs(mallory, `cancel ${id}`)), `Only the requester or an approver can cancel job ${id}.`);
    assert.equal((await app.jobs.service.find(id))?.state, 'awaiting_approval');
  });
});

describe('refresh jobs over HTTP with REQUIRED_APPROVALS=2', function () {
  this.timeout(30_000);
  let app: RunningApp;
  let simulator: AdminServiceSimulator;
  let directory: string;
  const { press, requestAs, messageOf, cardTextOfAnswer } = chat(() => app);

  before(async () => {
    ({ app, simulator, directory } = await startSiteWithApprovers({ APPROVERS: `${BOB}, ${CAROL}, ${ALICE}`, REQUIRED_APPROVALS: '2' }));
  });
  after(async () => {
    await app?.stop();
    await simulator?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('records the first approval on the card, refuses the same approver again, and the second approver decides', async () => {
    const { id, approvalCard } = await requestAs(alice, 'refresh PS100012 June CU');
    assert.match(approvalCard, /Needs 2 approvals from the 3 approvers; none so far/);
    const first = cardTextOfAnswer(await press(bob, 'job.approve', { jobId: id, comment: 'ok by me' }));
    assert.match(first, new RegExp(`You approved job ${id}: 1 of 2 approvals so far\\.`));
    assert.match(first, /1 of 2 so far/);
    assert.match(first, /Bob Baker/);
    assert.equal(messageOf(await press(bob, 'job.approve', { jobId: id })), `You have already decided on job ${id}; type "job ${id}" to see where it stands.`);
    assert.equal(messageOf(await press(alice, 'job.approve', { jobId: id })), `You asked for job ${id}, so another approver must decide on it.`);
    assert.equal((await app.jobs.service.find(id))?.state, 'awaiting_approval');
    const second = cardTextOfAnswer(await press(carol, 'job.approve', { jobId: id }));
    assert.match(second, new RegExp(`You approved job ${id}; it starts now\\.`));
    assert.match(second, /Carol Cole/);
    const details = await app.jobs.service.details(id);
    assert.equal(details.job.state, 'approved');
    assert.deepEqual(details.approvals.map((a) => a.approver.id).sort(), [BOB, CAROL]);
  });
});
