/**
 * Time limits for the calls botbuilder makes to the channel (replies to the activity's serviceUrl).
 * Without them a connector that never answers held the incoming request for 45 s. Each call gets
 * its own timeout, and every call a turn makes is aborted when the turn's budget runs out, so a
 * turn that is answered late does not keep sockets open in the background either.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { toCompatResponse, type RequestPolicy, type WebResourceLike } from '@azure/core-http-compat';
import { createDefaultHttpClient, createHttpHeaders, createPipelineRequest, type HttpClient } from '@azure/core-rest-pipeline';

export class OutboundDeadline {
  private readonly turnSignals = new AsyncLocalStorage<AbortSignal>();
  private readonly transport: HttpClient = createDefaultHttpClient();

  constructor(private readonly requestTimeoutMs: number) {}

  /** Runs a turn; outbound calls it makes are aborted when `signal` aborts. */
  runTurn<T>(signal: AbortSignal, turn: () => Promise<T>): Promise<T> {
    return this.turnSignals.run(signal, turn);
  }

  /**
   * The HttpClient for botbuilder's ConnectorClientOptions: the SDK's own default client, with the
   * timeout and the turn's signal added to each request.
   */
  httpClient(): RequestPolicy {
    return {
      sendRequest: async (resource: WebResourceLike) => {
        const signals = [AbortSignal.timeout(this.requestTimeoutMs)];
        const turnSignal = this.turnSignals.getStore();
        if (turnSignal !== undefined) signals.push(turnSignal);
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
        const response = await this.transport.sendRequest(request);
        // The SDK finds how to read the answer (and which statuses are errors) from its own request
        // object: the compat layer maps `resource` back to it.
        return { ...toCompatResponse(response), request: resource };
      },
    };
  }
}
