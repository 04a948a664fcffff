/**
 * Notification subscriptions through the bot's front door: chat commands, install and uninstall
 * events and the Unsubscribe button over real HTTP against startApp, on SQLite and PostgreSQL. Every
 * refusal and every bad input gets one clear sentence; no button data can change another
 * conversation's subscriptions or bypass who may change a channel's.
 */
import assert from 'node:assert/strict';
import { startApp, type RunningApp } from '../../src/app';
import { filterKeyOf, SubscriptionVerbs } from '../../src/cards/notify/subscriptions-card';
import { REMOVED_REASON } from '../../src/bot/conversation-references';
import { SubscriptionAnswers } from '../../src/bot/answers/subscription-answers';
import { loadConfig } from '../../src/config';
import { createLogger } from '../../src/logger';
import { disableConversation, getConversation, saveConversation } from '../../src/services/notify/conversation-repository';
import { enqueueNotification } from '../../src/services/notify/outbox-repository';
import { listSubscriptions } from '../../src/services/notify/subscription-repository';
import { baseActivity, cardText, onlyCard, postToBot, type ReplyActivity } from '../support/bot-client';
import { forEachDatabase } from '../support/test-databases';

const ALICE = '11111111-1111-4111-8111-111111111111';
const BOB = '22222222-2222-4222-8222-222222222222';
const silent = createLogger({ level: 'silent' });

interface Who {
  id: string;
  name: string;
  aadObjectId: string;
}
const alice: Who = { id: '29:alice', name: 'Alice Ashby', aadObjectId: ALICE };
const bob: Who = { id: '29:bob', name: 'Bob Baker', aadObjectId: BOB };

interface Where {
  id: string;
  conversationType: 'personal' | 'groupChat' | 'channel';
  name?: string;
}
/**
 * Conversation ids are new in every test: the tables are emptied between tests, while the running bot
 * remembers which references it already saved (and rightly does not write them again).
 */
let run = 0;
const channel = (): Where => ({ id: `19:ops-${run}@thread.tacv2`, conversationType: 'channel', name: 'Ops' });
const group = (): Where => ({ id: `19:group-${run}@thread.v2`, conversationType: 'groupChat', name: 'Imaging team' });
const personalOf = (who: Who): Where => ({ id: `a:${who.name}-${run}`, conversationType: 'personal' });

interface InvokeAnswer {
  status: number;
  body: { statusCode: number; type: string; value: unknown };
}

/** A sentence a person reads: one line, ends like a sentence, no internals. */
function assertOneSentence(text: unknown): asserts text is string {
  assert.equal(typeof text, 'string', JSON.stringify(text));
  const sentence = text as string;
  assert.ok(!sentence.includes('\n'), `one line: ${sentence}`);
  assert.match(sentence, /[.!?]$/, `ends as a sentence: ${sentence}`);
  assert.ok(sentence.length < 600, `short: ${sentence}`);
  assert.doesNotMatch(sentence, /Error:|undefined|\[object|SQLITE|syntax|stack/i, `no internals: ${sentence}`);
}

function chat(app: () => RunningApp) {
  function activity(who: Who, where: Where, extra: Record<string, unknown>): Record<string, unknown> {
    return {
      ...baseActivity(0),
      from: who,
      conversation: { ...where, tenantId: '00000000-0000-4000-8000-0000000000aa' },
      ...extra,
    };
  }
  async function post(body: Record<string, unknown>): Promise<ReplyActivity[]> {
    const { status, body: answer } = await postToBot(app().url, body);
    assert.equal(status, 200, JSON.stringify(answer));
    return (answer as { activities?: ReplyActivity[] } | undefined)?.activities ?? [];
  }
  const sayIn = (who: Who, where: Where, text: string) => post(activity(who, where, { type: 'message', text }));
  async function sentence(who: Who, where: Where, text: string): Promise<string> {
    const replies = await sayIn(who, where, text);
    assert.equal(replies.length, 1, JSON.stringify(replies));
    assert.equal(replies[0].attachments, undefined, 'a sentence, not a card');
    assertOneSentence(replies[0].text);
    return replies[0].text;
  }
  async function card(who: Who, where: Where, text: string): Promise<Record<string, unknown>> {
    return onlyCard(await sayIn(who, where, text));
  }
  async function press(who: Who, where: Where, data: unknown): Promise<InvokeAnswer> {
    const replies = await post(
      activity(who, where, { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: SubscriptionVerbs.unsubscribe, data }, trigger: 'manual' } }),
    );
    const answer = replies.find((reply) => reply.type === 'invokeResponse') as { value: InvokeAnswer } | undefined;
    assert.ok(answer, JSON.stringify(replies));
    return answer.value;
  }
  const install = (where: Where, action: string) => post(activity(alice, where, { type: 'installationUpdate', action }));
  const members = (where: Where, change: 'membersAdded' | 'membersRemoved') =>
    post(activity(alice, where, { type: 'conversationUpdate', [change]: [{ id: '28:upgrade-media-bot' }] }));
  return { sayIn, sentence, card, press, install, members };
}

/** The Unsubscribe buttons of a subscriptions card, with their data. */
function unsubscribeButtons(card: unknown): Array<Record<string, unknown>> {
  const found: Array<Record<string, unknown>> = [];
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (node === null || typeof node !== 'object') return;
    const record = node as Record<string, unknown>;
    if (record.type === 'Action.Execute' && record.verb === SubscriptionVerbs.unsubscribe) found.push(record.data as Record<string, unknown>);
    Object.values(record).forEach(visit);
  };
  visit(card);
  return found;
}

forEachDatabase('subscriptions over HTTP (anyone may subscribe a channel)', (database) => {
  let app: RunningApp;
  const { sayIn, sentence, card, press, install, members } = chat(() => app);
  const db = () => app.jobs.database.db;
  beforeEach(() => {
    run += 1;
  });

  before(async () => {
    app = await startApp(loadConfig({ PORT: '0', DATABASE_URL: database.url() }), { logger: silent, rateLimit: false, jobs: { runnerStopped: true } });
  });
  after(async () => app?.stop());

  it('subscribes a chat to everything with a bare "subscribe", and says so once', async () => {
    const where = personalOf(alice);
    assert.match(await sentence(alice, where, 'subscribe'), /now receives every notification for every package/);
    assert.match(await sentence(alice, where, 'subscribe all'), /already receives every notification for every package; nothing changed\./);
    const stored = await listSubscriptions(db(), where.id);
    assert.deepEqual(stored.map((s) => [s.topic, s.packageFilter, s.createdBy]), [['all', '', 'Alice Ashby']]);
  });

  it('subscribes a channel to failures of 24H2 media and saves the channel, not the thread, as the conversation', async () => {
    const thread: Where = { ...channel(), id: `${channel().id};messageid=1700000000000` };
    assert.match(await sentence(bob, thread, 'subscribe failures 24H2'), /now receives failures \(failed jobs and distribution points\) for packages matching "24h2"/);
    assert.deepEqual((await listSubscriptions(db(), channel().id)).map((s) => [s.topic, s.packageFilter]), [['failures', '24h2']]);
    const saved = await getConversation(db(), channel().id);
    assert.equal(saved?.kind, 'channel');
    assert.equal(saved?.name, 'Ops');
    assert.equal((saved?.reference.conversation as { id: string }).id, channel().id);
    assert.equal(await getConversation(db(), thread.id), undefined);
    assert.match(await sentence(bob, channel(), 'subscribe failures 24h2'), /already receives failures/);
  });

  const unreadable: Array<{ say: string; answer: RegExp; why: string }> = [
    { say: 'subscribe to everything', answer: /I can't read "to everything".*all, failures, approvals or freshness.*"subscribe failures 24H2"/, why: 'words that are neither a topic nor a package' },
    { say: 'subscribe failrues 24H2', answer: /^Did you mean "subscribe failures 24H2"\? The topics are all, failures, approvals and freshness\.$/, why: 'a mistyped topic' },
    { say: 'subcribe failures', answer: /did you mean "subscribe failures"\? Type it to go ahead\./, why: 'a mistyped command word, as for list or show' },
    { say: 'unsubscribe weekly stuff', answer: /I can't read "weekly stuff".*"unsubscribe failures 24H2", or "unsubscribe" alone for everything/, why: 'unsubscribe with unknown words' },
    { say: `subscribe failures ${'x'.repeat(101)}`, answer: /A package filter is at most 100 characters/, why: 'a pasted filter' },
  ];
  for (const { say, answer, why } of unreadable) {
    it(`answers "${say.slice(0, 40)}" with one sentence and changes nothing (${why})`, async () => {
      const where = personalOf(alice);
      assert.match(await sentence(alice, where, say), answer);
      assert.deepEqual(await listSubscriptions(db(), where.id), []);
    });
  }

  it('says there was nothing to remove, and what the chat does receive, when it was not subscribed', async () => {
    const where = personalOf(bob);
    assert.match(await sentence(bob, where, 'unsubscribe'), /^There was nothing to remove: this conversation was not subscribed to any notifications; it receives no notifications now, and "subscribe" starts them again\.$/);
    await sentence(bob, where, 'subscribe approvals PS100012');
    assert.match(
      await sentence(bob, where, 'unsubscribe failures'),
      /^There was nothing to remove: this conversation was not subscribed to failures .* for every package; it still receives approval news \(requests, decisions, expiries\) for packages matching "ps100012"\.$/,
    );
  });

  it('removes one topic, one filter, or everything, and says what remains', async () => {
    const where = personalOf(alice);
    for (const say of ['subscribe failures 24H2', 'subscribe failures 23H2', 'subscribe freshness', 'subscribe approvals 24H2']) await sentence(alice, where, say);
    assert.match(await sentence(alice, where, 'unsubscribe failures 23H2'), /no longer receives failures .* matching "23h2"; it still receives/);
    assert.match(await sentence(alice, where, 'unsubscribe 24H2'), /no longer receives failures .* matching "24h2"; approval news .* matching "24h2"; it still receives freshness news/);
    assert.match(await sentence(alice, where, 'unsubscribe everything'), /no longer receives freshness news .*; it receives no notifications now/);
    assert.deepEqual(await listSubscriptions(db(), where.id), []);
  });

  it('lists the subscriptions with who subscribed, "nothing yet" and the last failure with its reason', async () => {
    const where = personalOf(alice);
    await sentence(alice, where, 'subscribe failures 24H2');
    await sentence(alice, where, 'subscribe freshness');
    await db()
      .updateTable('subscriptions')
      .set({ last_delivered_at: '2026-11-30T08:00:00.000Z', last_failure_at: '2026-12-01T09:00:00.000Z', last_failure_reason: 'Teams answered 502 six times.' })
      .where('topic', '=', 'freshness')
      .execute();
    for (const say of ['subscriptions', 'subscription', 'subscribe list', 'subscriptions list']) {
      const text = cardText(await card(alice, where, say));
      assert.match(text, /Notifications in this conversation \(2\)/, say);
      assert.match(text, /Failures \(failed jobs and distribution points\) for packages matching "24h2"/);
      assert.match(text, /by Alice Ashby/);
      assert.match(text, /Last delivered: nothing yet/);
      assert.match(text, /Last delivered \{\{DATE\(2026-11-30T08:00:00Z, SHORT\)\}\}/);
      assert.match(text, /Last failure \{\{DATE\(2026-12-01T09:00:00Z, SHORT\)\}\} \{\{TIME\(2026-12-01T09:00:00Z\)\}\}: Teams answered 502 six times\./);
    }
  });

  it('shows an empty chat how to subscribe', async () => {
    const text = cardText(await card(bob, personalOf(bob), 'subscriptions'));
    assert.match(text, /receives no notifications\. Say "subscribe" for all of them, or "subscribe failures 24H2"/);
  });

  it('keeps a hostile filter as text: escaped in sentences and on the card, stored as typed', async () => {
    const where = personalOf(alice);
    const hostile = '[click](https://evil.example/x) "q" ${x} {{DATE(2020-01-01T00:00:00Z)}} Ünïcödé 🇺🇦';
    const said = await sentence(alice, where, `subscribe failures ${hostile}`);
    assert.ok(!said.includes('](https://'), said);
    assert.match(said, /\\\[click\\\]/);
    const stored = await listSubscriptions(db(), where.id);
    assert.equal(stored[0].packageFilter, hostile.toLowerCase());
    const shown = await card(alice, where, 'subscriptions');
    const text = cardText(shown);
    assert.match(text, /ünïcödé 🇺🇦/, "unicode whole, lower-cased as stored");
    assert.ok(!text.includes('](https://'), text);
    assert.ok(!text.includes('{{DATE(2020'), 'no card function comes from the filter');
    assert.deepEqual(unsubscribeButtons(shown).map((data) => data.filterKey), [filterKeyOf(hostile.toLowerCase())], 'the button names the filter by its digest only');
  });

  it('saves the conversation on install, disables it on uninstall and enables it again when the bot is added back', async () => {
    await install(group(), 'add');
    let saved = await getConversation(db(), group().id);
    assert.deepEqual([saved?.enabled, saved?.kind, saved?.name], [true, 'groupChat', 'Imaging team']);
    await install(group(), 'remove');
    saved = await getConversation(db(), group().id);
    assert.deepEqual([saved?.enabled, saved?.disabledReason], [false, REMOVED_REASON]);
    await install(group(), 'add');
    assert.equal((await getConversation(db(), group().id))?.enabled, true);

    await members(channel(), 'membersAdded');
    assert.equal((await getConversation(db(), channel().id))?.enabled, true);
    await members(channel(), 'membersRemoved');
    saved = await getConversation(db(), channel().id);
    assert.deepEqual([saved?.enabled, saved?.disabledReason], [false, REMOVED_REASON]);
    await members(channel(), 'membersAdded');
    assert.equal((await getConversation(db(), channel().id))?.enabled, true);
  });

  it('acknowledges install events with fields of the wrong shape and saves nothing odd', async () => {
    await install(group(), 'add');
    for (const action of [42, null, { evil: true }, 'remove-upgrade', 'REMOVE']) {
      await install(group(), action as string);
    }
    const saved = await getConversation(db(), group().id);
    assert.deepEqual([saved?.enabled, saved?.kind], [true, 'groupChat']);
    const replies = await sayIn(alice, group(), 'subscriptions');
    assert.equal(replies.length, 1);
  });

  it('shows on status what waits, since when, and which conversations stopped and why, without ids', async () => {
    await install(channel(), 'add');
    await install(group(), 'add');
    await disableConversation(db(), channel().id, 'Teams answered 403: the bot is blocked here.', new Date());
    await install(group(), 'remove');
    await enqueueNotification(db(), { kind: 'job.failed', packageId: 'PS100012', payload: {}, createdAt: new Date(Date.now() - 5 * 60_000) });
    await enqueueNotification(db(), { kind: 'job.stage', packageId: 'PS100012', payload: {}, createdAt: new Date() });
    const text = cardText(await card(alice, personalOf(alice), 'status'));
    assert.match(text, /Notifications/);
    assert.match(text, /2 notifications waiting; the oldest has waited 5 min\./);
    assert.match(text, /2 conversations: /);
    assert.match(text, /channel "Ops" \(Teams answered 403: the bot is blocked here\)/);
    assert.match(text, /group chat "Imaging team" \(the bot was removed from this conversation\)/);
    assert.ok(!text.includes('@thread'), 'no conversation ids on the card');
  });

  it('says on status that nothing waits and nobody stopped when all is well', async () => {
    const text = cardText(await card(alice, personalOf(alice), 'status'));
    assert.match(text, /Nothing waiting: every notification has been delivered\./);
    assert.match(text, /None: every conversation with the bot receives\./);
  });

  describe('the Unsubscribe button', () => {
    it('removes its row and answers with the card as it is now', async () => {
      const where = personalOf(alice);
      await sentence(alice, where, 'subscribe failures 24H2');
      await sentence(alice, where, 'subscribe freshness');
      const buttons = unsubscribeButtons(await card(alice, where, 'subscriptions'));
      assert.equal(buttons.length, 2);
      const answer = await press(alice, where, buttons.find((data) => data.topic === 'failures'));
      assert.equal(answer.body.type, 'application/vnd.microsoft.card.adaptive');
      assert.equal(unsubscribeButtons(answer.body.value).length, 1);
      assert.deepEqual((await listSubscriptions(db(), where.id)).map((s) => s.topic), ['freshness']);
    });

    it("removes nothing when the button names another conversation (a tampered card)", async () => {
      const victim = personalOf(bob);
      await sentence(bob, victim, 'subscribe failures');
      const answer = await press(alice, personalOf(alice), { conversationId: victim.id, topic: 'failures', filterKey: filterKeyOf('') });
      assert.equal(answer.body.type, 'application/vnd.microsoft.activity.message');
      assertOneSentence(answer.body.value);
      assert.match(answer.body.value, /belongs to another conversation's card/);
      assert.equal((await listSubscriptions(db(), victim.id)).length, 1);
    });

    const badData: Array<[string, unknown]> = [
      ['no data', undefined],
      ['an unknown topic', { conversationId: personalOf(alice).id, topic: 'everything', filterKey: filterKeyOf('') }],
      ['a filter as text instead of its key', { conversationId: personalOf(alice).id, topic: 'all', packageFilter: '24h2' }],
      ['a key that is not 16 hex digits', { conversationId: personalOf(alice).id, topic: 'all', filterKey: "' or 1=1 --" }],
      ['a conversation id that is not text', { conversationId: 42, topic: 'all', filterKey: filterKeyOf('') }],
    ];
    for (const [what, data] of badData) {
      it(`answers a button with ${what} with a 400 and a sentence`, async () => {
        const answer = await press(alice, personalOf(alice), data);
        assert.equal(answer.status, 400);
        assertOneSentence((answer.body.value as { message: string }).message);
      });
    }

    it('says the subscription was already removed when pressed twice', async () => {
      const where = personalOf(alice);
      await sentence(alice, where, 'subscribe');
      const [button] = unsubscribeButtons(await card(alice, where, 'subscriptions'));
      await press(alice, where, button);
      const again = await press(alice, where, button);
      assert.equal(again.body.type, 'application/vnd.microsoft.card.adaptive');
      assert.match(cardText(again.body.value), /receives no notifications/);
    });
  });
});

forEachDatabase('subscriptions over HTTP with CHANNEL_SUBSCRIBERS=approvers', (database) => {
  let app: RunningApp;
  const { sentence, card, press, install } = chat(() => app);
  const db = () => app.jobs.database.db;
  beforeEach(() => {
    run += 1;
  });

  before(async () => {
    app = await startApp(loadConfig({ PORT: '0', DATABASE_URL: database.url(), CHANNEL_SUBSCRIBERS: 'approvers', APPROVERS: ALICE }), {
      logger: silent,
      rateLimit: false,
      jobs: { runnerStopped: true },
    });
  });
  after(async () => app?.stop());

  const refusedWhere: Array<[string, () => Where, RegExp]> = [
    ['channel', channel, /^Only the approvers named in APPROVERS may change what this channel receives; ask one of them/],
    ['group chat', group, /^Only the approvers named in APPROVERS may change what this group chat receives/],
  ];
  for (const [what, whereNow, refusal] of refusedWhere) {
    it(`refuses someone who is not an approver changing a ${what}'s subscriptions, and lets an approver`, async () => {
      const where = whereNow();
      assert.match(await sentence(bob, where, 'subscribe failures'), refusal);
      assert.match(await sentence(bob, where, 'unsubscribe'), refusal);
      assert.deepEqual(await listSubscriptions(db(), where.id), []);
      assert.match(await sentence(alice, where, 'subscribe failures'), /now receives failures/);
      assert.equal((await listSubscriptions(db(), where.id)).length, 1);
    });
  }

  it('lets anyone change their own personal chat', async () => {
    assert.match(await sentence(bob, personalOf(bob), 'subscribe'), /now receives every notification/);
  });

  it("shows a channel's subscriptions to anyone, with Unsubscribe buttons only for an approver", async () => {
    await sentence(alice, channel(), 'subscribe failures');
    const forBob = await card(bob, channel(), 'subscriptions');
    assert.match(cardText(forBob), /Failures/);
    assert.equal(unsubscribeButtons(forBob).length, 0);
    assert.equal(unsubscribeButtons(await card(alice, channel(), 'subscriptions')).length, 1);
  });

  it("refuses a non-approver's press of an approver's Unsubscribe button in a channel", async () => {
    await install(channel(), 'add');
    await sentence(alice, channel(), 'subscribe failures');
    const [button] = unsubscribeButtons(await card(alice, channel(), 'subscriptions'));
    const answer = await press(bob, channel(), button);
    assert.equal(answer.body.type, 'application/vnd.microsoft.activity.message');
    assert.match(String(answer.body.value), /Only the approvers named in APPROVERS/);
    assert.equal((await listSubscriptions(db(), channel().id)).length, 1);
    const byAlice = await press(alice, channel(), button);
    assert.equal(byAlice.body.type, 'application/vnd.microsoft.card.adaptive');
    assert.deepEqual(await listSubscriptions(db(), channel().id), []);
  });

  it('judges a press from a channel thread as the channel', async () => {
    await install(channel(), 'add');
    await sentence(alice, channel(), 'subscribe freshness');
    const [button] = unsubscribeButtons(await card(alice, channel(), 'subscriptions'));
    const thread: Where = { ...channel(), id: `${channel().id};messageid=1700000000001` };
    assert.match(String((await press(bob, thread, button)).body.value), /Only the approvers/);
    assert.equal((await press(alice, thread, button)).body.type, 'application/vnd.microsoft.card.adaptive');
    assert.deepEqual(await listSubscriptions(db(), channel().id), []);
  });
});

forEachDatabase('subscribing where the bot cannot reach the conversation', (database) => {
  it('says at once, and on the card, that nothing can arrive until the bot can reach the conversation', async () => {
    const { db } = await database.open();
    const answers = new SubscriptionAnswers({ db, channelSubscribers: 'anyone', approvers: [], cardContext: () => ({ demo: false, syncedAt: null }), logger: silent });
    const turn = { conversationId: 'a:never-saved', kind: 'personal' as const, person: { id: '29:alice', name: 'Alice Ashby' } };
    const said = await answers.answer({ name: 'subscribe', topic: 'failures', filter: '' }, turn);
    assertOneSentence(said.text);
    assert.match(said.text, /^This conversation is subscribed to failures .* but the bot has not been able to save how to reach this conversation, so nothing can arrive here yet; tell your bot administrator/);
    const card = await answers.subscriptionsCard(turn);
    assert.match(cardText(card), /has not been able to save how to reach this conversation/);
  });

  it('says at once that a stopped conversation receives nothing until the bot is added back', async () => {
    const { db } = await database.open();
    const answers = new SubscriptionAnswers({ db, channelSubscribers: 'anyone', approvers: [], cardContext: () => ({ demo: false, syncedAt: null }), logger: silent });
    await saveConversation(db, { conversationId: '19:ops@thread.tacv2', reference: { serviceUrl: 'https://smba.example/' }, kind: 'channel', at: new Date() });
    await disableConversation(db, '19:ops@thread.tacv2', 'Teams answered 403: the bot is not in this team.', new Date());
    const turn = { conversationId: '19:ops@thread.tacv2', kind: 'channel' as const, person: { id: '29:alice', name: 'Alice Ashby' } };
    const said = await answers.answer({ name: 'subscribe', topic: 'all', filter: '' }, turn);
    assertOneSentence(said.text);
    assert.equal(said.text, 'This conversation is subscribed to every notification for every package, but it stopped receiving notifications (Teams answered 403: the bot is not in this team); they resume when the bot is added back here.');
    assert.match(cardText(await answers.subscriptionsCard(turn)), /This conversation stopped receiving notifications .*: Teams answered 403: the bot is not in this team\. They resume when the bot is added back\./);
  });
});
