/**
 * Time limits for the calls botbuilder makes to the channel (replies to the activity's serviceUrl).
 * Without them a connector that never answers held the incoming request for 45 s. Each call gets
 * its own timeout, and when a turn runs out of budget the calls still open to its conversation are
 * aborted, so a turn that is answered late does not keep sockets open in the background either.
 *
 * Calls are tied to a turn by the conversation they address, not by AsyncLocalStorage: on Node 20
 * that turns on promise hooks for the whole process, and cost about a tenth of `list`'s throughput.
 */
import { toCompatResponse, type RequestPolicy, type WebResourceLike } from '@azure/core-http-compat';
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, type HttpClient } from '@azure/core-rest-pipeline';

interface OpenCall {
  url: string;
  controller: AbortController;
}

export class OutboundDeadline {
  private readonly transport: HttpClient = createDefaultHttpClient();
  private readonly openCalls = new Set<OpenCall>();

  constructor(private readonly requestTimeoutMs: number) {}

  /** Calls made to the channel that have not answered yet. */
  get openCallCount(): number {
    return this.openCalls.size;
  }

  /**
   * Aborts the open calls to one conversation at one channel: what a turn over its budget was still
   * waiting on. Other turns of that conversation wait on the same connector, so they go too.
   */
  abortCallsTo(serviceUrl: string, conversationId: string): number {
    const origin = originOf(serviceUrl);
    if (origin === undefined) return 0;
    const paths = [`/v3/conversations/${encodeURIComponent(conversationId)}`, `/v3/conversations/${conversationId}`];
    let aborted = 0;
    for (const call of this.openCalls) {
      if (originOf(call.url) !== origin) continue;
      const path = call.url.slice(origin.length);
      if (paths.some((prefix) => path.includes(`${prefix}/`) || path.endsWith(prefix))) {
        call.controller.abort(new Error('the turn ran out of time'));
        aborted += 1;
      }
    }
    return aborted;
  }

  /**
   * The HttpClient for botbuilder's ConnectorClientOptions: the SDK's own default client, with the
   * timeout added to each request and each open request known until it answers.
   */
  httpClient(): RequestPolicy {
    return {
      sendRequest: async (resource: WebResourceLike) => {
        const call: OpenCall = { url: resource.url, controller: new AbortController() };
        const signals = [AbortSignal.timeout(this.requestTimeoutMs), call.controller.signal];
        if (resource.abortSignal instanceof AbortSignal) signals.push(resource.abortSignal);
        const request = createPipelineRequest({
          url: resource.url,
          method: resource.method,
          headers: createHttpHeaders(resource.headers.toJson({ preserveCase: true })),
          body: resource.body,
          abortSignal: AbortSignal.any(signals),
          timeout: this.requestTimeoutMs,
          withCredentials: resource.withCredentials,
          requestId: resource.requestId,
          proxySettings: resource.proxySettings,
          streamResponseStatusCodes: resource.streamResponseStatusCodes,
          // As the SDK decides for its own requests: plain http only when the serviceUrl says so.
          allowInsecureConnection: resource.url.toLowerCase().startsWith('http:'),
        });
        this.openCalls.add(call);
        try {
          const response = await this.transport.sendRequest(request);
          // The SDK finds how to read the answer (and which statuses are errors) from its own request
          // object: the compat layer maps `resource` back to it.
          return { ...toCompatResponse(response), request: resource };
        } finally {
          this.openCalls.delete(call);
        }
      },
    };
  }
}

function originOf(url: string): string | undefined {
  try {
    return new URL(url).origin;
  } catch {
    return undefined;
  }
}
