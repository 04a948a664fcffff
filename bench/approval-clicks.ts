/**
 * Approve clicks as Teams sends them: an `adaptiveCard/action` invoke (Action.Execute, verb
 * job.approve, data { jobId }) from one approver, answered in the HTTP response. A burst fires all
 * its clicks in the same tick on fresh connections and times each from the request to the last byte
 * of its answer; the answers are read only after every click has been answered.
 */
import http from 'node:http';
import { JobVerbs } from '../src/cards/jobs/job-verbs';
import { cardActionActivity, messageActivity } from '../test/support/bot-client';

/** Someone in Teams: the channel's user id, a display name and the Azure AD object id. */
export interface BenchUser {
  id: string;
  name: string;
  aadObjectId: string;
}

/** Where an activity comes from: its conversation and the channel's serviceUrl for proactive messages. */
export interface BenchConversation {
  id: string;
  type: 'personal' | 'channel';
  serviceUrl: string;
}

function fromParts(user: BenchUser, conversation: BenchConversation): Record<string, unknown> {
  return {
    from: { id: user.id, name: user.name, aadObjectId: user.aadObjectId },
    conversation: { id: conversation.id, conversationType: conversation.type, tenantId: '00000000-0000-4000-8000-0000000000aa' },
    serviceUrl: conversation.serviceUrl,
  };
}

/** A message answered in the HTTP response (deliveryMode expectReplies). */
export function messageFrom(text: string, user: BenchUser, conversation: BenchConversation): Record<string, unknown> {
  return { ...messageActivity(text), ...fromParts(user, conversation) };
}

/** An Approve click as Teams sends it: no deliveryMode, the invoke response is the HTTP answer. */
export function approveClick(jobId: string, user: BenchUser, conversation: BenchConversation): string {
  const { deliveryMode: _answeredInTheResponse, ...activity } = cardActionActivity(JobVerbs.approve, { jobId });
  return JSON.stringify({ ...activity, ...fromParts(user, conversation) });
}

export type ClickAnswer =
  /** The approval card redrawn with "You approved job …" on it. */
  | { kind: 'approved' }
  /** A sentence in place of the card: the click was refused (already approved, …). */
  | { kind: 'refused'; message: string }
  | { kind: 'unexpected'; detail: string };

export interface ClickResult {
  ms: number;
  answer: ClickAnswer;
}

function classify(status: number, raw: string, jobId: string): ClickAnswer {
  if (status !== 200) return { kind: 'unexpected', detail: `HTTP ${status}: ${raw.slice(0, 200)}` };
  try {
    const body = JSON.parse(raw) as { statusCode?: number; type?: string; value?: unknown };
    if (body.type === 'application/vnd.microsoft.card.adaptive' && JSON.stringify(body.value).includes(`You approved job ${jobId}`)) {
      return { kind: 'approved' };
    }
    if (body.type === 'application/vnd.microsoft.activity.message' && typeof body.value === 'string') return { kind: 'refused', message: body.value };
    return { kind: 'unexpected', detail: raw.slice(0, 200) };
  } catch {
    return { kind: 'unexpected', detail: `not JSON: ${raw.slice(0, 200)}` };
  }
}

function post(url: URL, agent: http.Agent, body: string): Promise<{ ms: number; status: number; raw: Buffer }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    const request = http.request(
      url,
      { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } },
      (response) => {
        response.on('data', (chunk: Buffer) => chunks.push(chunk));
        response.on('end', () => resolve({ ms: performance.now() - sent, status: response.statusCode ?? 0, raw: Buffer.concat(chunks) }));
        response.on('error', reject);
      },
    );
    request.on('error', reject);
    const sent = performance.now();
    request.end(body);
  });
}

/** Fires every click at once; `jobIds[i]` is the job click i approves (to read its answer). */
export async function fireClicks(botUrl: string, clicks: readonly string[], jobIds: readonly string[]): Promise<ClickResult[]> {
  const url = new URL('/api/messages', botUrl);
  const agent = new http.Agent({ keepAlive: false, maxSockets: clicks.length });
  try {
    const answered = await Promise.all(
      clicks.map((body) => post(url, agent, body).catch((error: unknown) => ({ ms: Number.NaN, status: 0, raw: Buffer.from(String(error)) }))),
    );
    return answered.map((result, i) => ({ ms: result.ms, answer: classify(result.status, result.raw.toString('utf8'), jobIds[i]) }));
  } finally {
    agent.destroy();
  }
}
