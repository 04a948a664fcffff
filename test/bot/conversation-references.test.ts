/**
 * ConversationReferences on both databases: what each kind of turn writes (or disables), the https rule
 * for a bot with a MicrosoftAppId, the in-process memory that spares unchanged turns a write (but never an
 * install), and that a store failure is logged without failing the turn.
 */
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { TestAdapter, TurnContext, type Activity } from 'botbuilder';
import pino from 'pino';
import { ConversationReferences, REMOVED_REASON } from '../../src/bot/conversation-references';
import { getConversation } from '../../src/services/notify/conversation-repository';
import { forEachDatabase } from '../support/test-databases';

const APP_ID = '5f0e8a3c-1b2d-4c5e-8f90-123456789abc';
const BOT = { id: '28:upgrade-media-bot', name: 'Upgrade Media' };

/** A logger whose lines the test reads. */
function recordingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      for (const line of String(chunk).split('\n').filter(Boolean)) lines.push(JSON.parse(line));
      done();
    },
  });
  return { logger: pino({ level: 'debug' }, sink), lines };
}

function turn(overrides: Partial<Activity> & Record<string, unknown> = {}): TurnContext {
  const activity = {
    type: 'message',
    id: `activity-${Math.random().toString(36).slice(2)}`,
    channelId: 'msteams',
    serviceUrl: 'https://smba.trafficmanager.net/emea/',
    from: { id: '29:alice', name: 'Alice Ashby', aadObjectId: '11111111-1111-4111-8111-111111111111' },
    recipient: BOT,
    conversation: { id: 'a:alice-personal', conversationType: 'personal', tenantId: 'tenant' },
    text: 'list',
    ...overrides,
  } as Partial<Activity>;
  return new TurnContext(new TestAdapter(), activity);
}

forEachDatabase('ConversationReferences', (database) => {
  it('saves a turn\'s reference with its service URL and kind, without the activity id', async () => {
    const db = (await database.open()).db;
    const references = new ConversationReferences({ db, logger: pino({ level: 'silent' }), identity: { appId: APP_ID } });
    await references.noteTurn(turn());
    const saved = await getConversation(db, 'a:alice-personal');
    assert.equal(saved?.kind, 'personal');
    assert.equal(saved?.enabled, true);
    assert.equal(saved?.reference.serviceUrl, 'https://smba.trafficmanager.net/emea/');
    assert.equal(saved?.reference.activityId, undefined);
    assert.deepEqual(saved?.reference.bot, BOT);
  });

  const kinds: Array<[unknown, string]> = [
    ['personal', 'personal'],
    ['groupChat', 'groupChat'],
    ['channel', 'channel'],
    [undefined, 'unknown'],
    ['meeting-room', 'unknown'],
    [{ evil: true }, 'unknown'],
  ];
  for (const [conversationType, kind] of kinds) {
    it(`stores conversationType ${JSON.stringify(conversationType)} as kind ${kind}`, async () => {
      const db = (await database.open()).db;
      const references = new ConversationReferences({ db, logger: pino({ level: 'silent' }), identity: { appId: '' } });
      await references.noteTurn(turn({ conversation: { id: '19:c@thread.v2', conversationType, name: 'Imaging' } as never }));
      const saved = await getConversation(db, '19:c@thread.v2');
      assert.deepEqual([saved?.kind, saved?.name], [kind, 'Imaging']);
    });
  }

  it('keys a channel thread by its channel and names it from channelData', async () => {
    const db = (await database.open()).db;
    const references = new ConversationReferences({ db, logger: pino({ level: 'silent' }), identity: { appId: '' } });
    await references.noteTurn(
      turn({ conversation: { id: '19:ops@thread.tacv2;messageid=1700000000000', conversationType: 'channel' } as never, channelData: { channel: { name: 'Ops' } } }),
    );
    const saved = await getConversation(db, '19:ops@thread.tacv2');
    assert.equal(saved?.name, 'Ops');
    assert.equal((saved?.reference.conversation as { id: string }).id, '19:ops@thread.tacv2');
  });

  describe('with a MicrosoftAppId', () => {
    const refused = ['http://smba.trafficmanager.net/emea/', 'ftp://smba.example/', 'smba.trafficmanager.net', 'javascript:alert(1)'];
    for (const serviceUrl of refused) {
      it(`refuses and logs a reference whose service URL is ${serviceUrl}`, async () => {
        const db = (await database.open()).db;
        const { logger, lines } = recordingLogger();
        const references = new ConversationReferences({ db, logger, identity: { appId: APP_ID } });
        await references.noteTurn(turn({ serviceUrl }));
        assert.equal(await getConversation(db, 'a:alice-personal'), undefined);
        assert.ok(lines.some((line) => line.level === 40 && /not https/.test(String(line.msg))), JSON.stringify(lines));
      });
    }

    it('keeps the https reference it had when a later turn names an http service URL', async () => {
      const db = (await database.open()).db;
      const references = new ConversationReferences({ db, logger: pino({ level: 'silent' }), identity: { appId: APP_ID } });
      await references.noteTurn(turn());
      await references.noteTurn(turn({ serviceUrl: 'http://evil.example/' }));
      assert.equal((await getConversation(db, 'a:alice-personal'))?.reference.serviceUrl, 'https://smba.trafficmanager.net/emea/');
    });
  });

  it('saves an http service URL when the bot runs without a MicrosoftAppId (local tools, the Agents Playground)', async () => {
    const db = (await database.open()).db;
    const references = new ConversationReferences({ db, logger: pino({ level: 'silent' }), identity: { appId: '' } });
    await references.noteTurn(turn({ serviceUrl: 'http://127.0.0.1:56150' }));
    assert.equal((await getConversation(db, 'a:alice-personal'))?.reference.serviceUrl, 'http://127.0.0.1:56150');
  });

  it('writes an unchanged reference once, again after the rewrite interval, and at once when it changes', async () => {
    const db = (await database.open()).db;
    let now = new Date('2026-12-01T10:00:00Z');
    const references = new ConversationReferences({ db, logger: pino({ level: 'silent' }), identity: { appId: '' }, rewriteAfterMs: 60_000, now: () => now });
    const updatedAt = async () => (await getConversation(db, 'a:alice-personal'))?.updatedAt.toISOString();
    await references.noteTurn(turn());
    now = new Date('2026-12-01T10:00:30Z');
    await references.noteTurn(turn({ text: 'show PS100012' }));
    assert.equal(await updatedAt(), '2026-12-01T10:00:00.000Z', 'the same reference is not written again');
    await references.noteTurn(turn({ serviceUrl: 'https://smba.trafficmanager.net/amer/' }));
    assert.equal(await updatedAt(), '2026-12-01T10:00:30.000Z', 'a new service URL is written at once');
    now = new Date('2026-12-01T10:02:00Z');
    await references.noteTurn(turn({ serviceUrl: 'https://smba.trafficmanager.net/amer/' }));
    assert.equal(await updatedAt(), '2026-12-01T10:02:00.000Z', 'written again after the interval');
  });

  it('forgets the oldest conversations beyond its bound', async () => {
    const db = (await database.open()).db;
    let now = new Date('2026-12-01T10:00:00Z');
    const references = new ConversationReferences({ db, logger: pino({ level: 'silent' }), identity: { appId: '' }, rememberedConversations: 2, now: () => now });
    const at = (id: string) => turn({ conversation: { id, conversationType: 'personal' } as never });
    for (const id of ['a:1', 'a:2', 'a:3']) await references.noteTurn(at(id));
    now = new Date('2026-12-01T10:00:05Z');
    for (const id of ['a:1', 'a:3']) await references.noteTurn(at(id));
    assert.equal((await getConversation(db, 'a:1'))?.updatedAt.toISOString(), '2026-12-01T10:00:05.000Z', 'a:1 was forgotten, so written again');
    assert.equal((await getConversation(db, 'a:3'))?.updatedAt.toISOString(), '2026-12-01T10:00:00.000Z', 'a:3 was remembered');
  });

  it('disables on uninstall and enables on re-install, writing both even when nothing else changed', async () => {
    const db = (await database.open()).db;
    const { logger } = recordingLogger();
    const references = new ConversationReferences({ db, logger, identity: { appId: APP_ID } });
    const group = { id: '19:group@thread.v2', conversationType: 'groupChat', name: 'Imaging team' } as never;
    await references.noteTurn(turn({ conversation: group }));
    await references.noteTurn(turn({ type: 'installationUpdate', action: 'remove', conversation: group }));
    let saved = await getConversation(db, '19:group@thread.v2');
    assert.deepEqual([saved?.enabled, saved?.disabledReason], [false, REMOVED_REASON]);
    await references.noteTurn(turn({ type: 'installationUpdate', action: 'add', conversation: group }));
    saved = await getConversation(db, '19:group@thread.v2');
    assert.deepEqual([saved?.enabled, saved?.disabledReason], [true, null]);
    await references.noteTurn(turn({ type: 'conversationUpdate', membersRemoved: [BOT], conversation: group }));
    assert.equal((await getConversation(db, '19:group@thread.v2'))?.enabled, false);
    await references.noteTurn(turn({ type: 'conversationUpdate', membersAdded: [BOT], conversation: group }));
    assert.equal((await getConversation(db, '19:group@thread.v2'))?.enabled, true);
  });

  it('does not take someone else leaving, or members of the wrong shape, for the bot leaving', async () => {
    const db = (await database.open()).db;
    const references = new ConversationReferences({ db, logger: pino({ level: 'silent' }), identity: { appId: '' } });
    const group = { id: '19:group@thread.v2', conversationType: 'groupChat' } as never;
    await references.noteTurn(turn({ type: 'installationUpdate', action: 'add', conversation: group }));
    for (const membersRemoved of [[{ id: '29:bob' }], [null, 42, 'x'], { id: BOT.id }, 'everyone']) {
      await references.noteTurn(turn({ type: 'conversationUpdate', membersRemoved: membersRemoved as never, conversation: group }));
    }
    await references.noteTurn(turn({ type: 'conversationUpdate', membersRemoved: [BOT], recipient: undefined, conversation: group }));
    assert.equal((await getConversation(db, '19:group@thread.v2'))?.enabled, true);
  });

  it('saves nothing for a turn without a usable conversation id or service URL', async () => {
    const db = (await database.open()).db;
    const references = new ConversationReferences({ db, logger: pino({ level: 'silent' }), identity: { appId: '' } });
    await references.noteTurn(turn({ conversation: { id: 'x'.repeat(513) } as never }));
    await references.noteTurn(turn({ conversation: { id: 42 } as never }));
    await references.noteTurn(turn({ serviceUrl: undefined }));
    const rows = await db.selectFrom('conversations').select('conversation_id').execute();
    assert.deepEqual(rows, []);
  });

  it('logs a store failure and lets the turn go on', async () => {
    const opened = await database.open();
    const { logger, lines } = recordingLogger();
    const references = new ConversationReferences({ db: opened.db, logger, identity: { appId: '' } });
    await opened.close();
    await references.noteTurn(turn());
    await references.noteTurn(turn({ type: 'installationUpdate', action: 'remove' }));
    const warnings = lines.filter((line) => line.level === 40 && line.msg === 'could not save the conversation reference');
    assert.equal(warnings.length, 2, JSON.stringify(lines));
  });
});
