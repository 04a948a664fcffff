/**
 * What the bot answers to an invoke it does not implement. The app declares no message extension,
 * dialog, tab, search or sign-in, so Teams never sends those; when someone else does, each family
 * gets the polite empty answer of its protocol with HTTP 200. botbuilder's default, 501 (or a crash
 * on a null value), made a forged invoke look like a server fault.
 */
import type { InvokeResponse } from 'botbuilder';
import { failedActionResponse } from './actions/action-response';

const NOTHING_HERE = 'Upgrade Media has no dialogs or message extensions; type "help" in the chat with the bot to see what it answers.';

const emptyResults: InvokeResponse = {
  status: 200,
  body: { composeExtension: { type: 'result', attachmentLayout: 'list', attachments: [] } },
};

const dialogMessage: InvokeResponse = { status: 200, body: { task: { type: 'message', value: NOTHING_HERE } } };

/** Invoke names by family; anything not listed (or no name at all) gets a bare 200. */
const DECLINES: Record<string, InvokeResponse> = {
  'composeExtension/query': emptyResults,
  'composeExtension/queryLink': emptyResults,
  'composeExtension/anonymousQueryLink': emptyResults,
  'composeExtension/selectItem': emptyResults,
  'composeExtension/fetchTask': dialogMessage,
  'composeExtension/submitAction': dialogMessage,
  'task/fetch': dialogMessage,
  'task/submit': dialogMessage,
  'application/search': {
    status: 200,
    body: { statusCode: 200, type: 'application/vnd.microsoft.search.searchResponse', value: { results: [] } },
  },
  healthCheck: { status: 200, body: { healthResults: { success: true, messages: ['Health check succeeded.'] } } },
};

export function declineInvoke(name: unknown): InvokeResponse {
  if (typeof name === 'string' && Object.prototype.hasOwnProperty.call(DECLINES, name)) return structuredClone(DECLINES[name]);
  return { status: 200 };
}

/** A card button whose turn failed: Teams shows the message in place of the card's answer. */
export function failedCardAction(): InvokeResponse {
  return { status: 200, body: failedActionResponse() };
}
