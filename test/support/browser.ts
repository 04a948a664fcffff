/**
 * Headless Chromium driving the Agents Playground's chat page like a Teams user: type, send, read the bot's
 * cards, press their buttons, take pictures of them.
 */
import { accessSync, constants } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname } from 'node:path';
import { chromium, type Browser, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** Where Debian's chromium package puts the browser; scripts/test-prerequisites.sh installs it. */
export const CHROMIUM_PATH = '/usr/bin/chromium';

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

export interface TestBrowser {
  context: BrowserContext;
  /** Non-loopback URLs the page tried to reach and that were refused (fonts and scripts from CDNs). */
  blockedRequests: string[];
  close(): Promise<void>;
}

export interface LaunchOptions {
  executablePath?: string;
  viewport?: { width: number; height: number };
}

export async function launchBrowser(options: LaunchOptions = {}): Promise<TestBrowser> {
  const executablePath = options.executablePath ?? CHROMIUM_PATH;
  try {
    accessSync(executablePath, constants.X_OK);
  } catch {
    throw new Error(
      `Chromium is not installed at ${executablePath}; run "sudo bash scripts/test-prerequisites.sh" to install the test prerequisites.`,
    );
  }
  // Playwright gives every launch a fresh temporary profile (user-data dir) and deletes it on close, so no
  // run sees another's storage.
  const browser: Browser = await chromium.launch({ executablePath, args: CHROMIUM_ARGS });
  try {
    const context = await browser.newContext({ viewport: options.viewport ?? { width: 1280, height: 900 } });
    const blockedRequests: string[] = [];
    // The tests must not depend on, or talk to, anything beyond this machine.
    await context.route('**/*', (route) => {
      const url = route.request().url();
      const { protocol, hostname } = new URL(url);
      if (protocol === 'data:' || protocol === 'blob:' || LOOPBACK_HOSTS.has(hostname)) return route.continue();
      blockedRequests.push(url);
      return route.abort('blockedbyclient');
    });
    return {
      context,
      blockedRequests,
      close: async () => {
        await browser.close();
      },
    };
  } catch (error) {
    await browser.close();
    throw error;
  }
}

export interface ChatOptions {
  /** How long to wait for the page to load and the bot to answer conversationUpdate (the page needs ~3-4 s). */
  connectTimeoutMs?: number;
  /** How long to wait for a reply or a card update. */
  replyTimeoutMs?: number;
}

/** How long the bot's messages must stay unchanged in number before a reply counts as complete. */
const SETTLE_MS = 600;
const POLL_MS = 100;
/** Room above and below a message for the page header and the compose box. */
const SCREENSHOT_MARGIN_PX = 300;

/** The personal chat with the bot on the Playground page. */
export class PlaygroundChat {
  private constructor(
    readonly page: Page,
    private readonly replyTimeoutMs: number,
  ) {}

  /** Opens the Playground page and waits until the bot has answered the chat's conversationUpdate. */
  static async open(browser: TestBrowser, playgroundUrl: string, options: ChatOptions = {}): Promise<PlaygroundChat> {
    const page = await browser.context.newPage();
    const chat = new PlaygroundChat(page, options.replyTimeoutMs ?? 15_000);
    const connectTimeoutMs = options.connectTimeoutMs ?? 30_000;
    const deadline = Date.now() + connectTimeoutMs;
    try {
      await page.goto(playgroundUrl, { timeout: connectTimeoutMs });
      await page.getByText('conversationUpdate 200').first().waitFor({ timeout: Math.max(1, deadline - Date.now()) });
    } catch {
      throw new Error(
        `The Playground did not connect to the bot within ${connectTimeoutMs} ms (no "conversationUpdate 200" in its log panel). Log panel:\n${await chat.logPanelText()}`,
      );
    }
    return chat;
  }

  /** Every message from the bot, oldest first: a message is the block under a header that names an author. */
  botMessages(): Locator {
    return this.page.locator('div:has(> [aria-label="Message header"] [aria-label="Message author"])');
  }

  /** Types `text` in the compose box, sends it and returns the bot's last reply once the replies stop coming. */
  async send(text: string): Promise<Locator> {
    const before = await this.botMessages().count();
    await this.page.getByRole('textbox').fill(text);
    await this.page.getByRole('button', { name: 'Send Message' }).click();
    return this.nextBotMessage(before, `"${text}"`);
  }

  /** Waits for bot message number `index + 1` (0-based `index`) and for the bot to stop sending; returns the last. */
  async nextBotMessage(index: number, after: string): Promise<Locator> {
    const messages = this.botMessages();
    try {
      await messages.nth(index).waitFor({ timeout: this.replyTimeoutMs });
    } catch {
      throw new Error(`The bot did not answer ${after} within ${this.replyTimeoutMs} ms. Log panel:\n${await this.logPanelText()}`);
    }
    let count = await messages.count();
    let stableSince = Date.now();
    while (Date.now() - stableSince < SETTLE_MS) {
      await this.page.waitForTimeout(POLL_MS);
      const now = await messages.count();
      if (now !== count) {
        count = now;
        stableSince = Date.now();
      }
    }
    return messages.nth(count - 1);
  }

  /**
   * Waits until the text of `target` matches `pattern` (the bot updates messages in place, so their text
   * changes while the locator stays) and returns that text; `seen` hears every distinct text on the way.
   */
  async waitForText(target: Locator, pattern: RegExp, options: { timeoutMs?: number; what: string; seen?: (text: string) => void }): Promise<string> {
    const timeoutMs = options.timeoutMs ?? this.replyTimeoutMs;
    const deadline = Date.now() + timeoutMs;
    let last = '';
    for (;;) {
      const text = (await target.first().innerText({ timeout: 5_000 }).catch(() => '')).replaceAll('\u200D', '');
      if (text !== last && text !== '') options.seen?.(text);
      last = text;
      if (pattern.test(text)) return text;
      if (Date.now() > deadline) {
        throw new Error(`${options.what} did not show ${pattern} within ${timeoutMs} ms; it reads:\n${last}\nLog panel:\n${await this.logPanelText()}`);
      }
      await this.page.waitForTimeout(POLL_MS * 2);
    }
  }

  /** The bot's messages whose text contains `text` (stays pointed at a message the bot updates in place). */
  botMessageWith(text: string | RegExp): Locator {
    return this.botMessages().filter({ hasText: text });
  }

  /** The first Adaptive Card in a message. */
  card(message: Locator): Locator {
    return message.locator('.ac-adaptiveCard').first();
  }

  /**
   * Presses the card action titled `title` (a button, or a select action that carries the title as its
   * accessible name) and waits until the bot's invoke response has replaced the card in place.
   */
  async clickCardButton(message: Locator, title: string): Promise<void> {
    const card = this.card(message);
    const before = await card.innerText();
    const action = card.getByRole('button', { name: title, exact: true });
    if ((await action.count()) === 0) {
      const offered = await card.getByRole('button').evaluateAll((elements) =>
        elements.map((element) => element.getAttribute('aria-label') ?? element.textContent ?? ''),
      );
      throw new Error(`The card has no action titled "${title}"; it offers: ${offered.map((t) => `"${t}"`).join(', ') || 'none'}.`);
    }
    await action.first().click();
    const deadline = Date.now() + this.replyTimeoutMs;
    while ((await card.innerText().catch(() => before)) === before) {
      if (Date.now() > deadline) {
        throw new Error(
          `The card was not replaced within ${this.replyTimeoutMs} ms after pressing "${title}". Log panel:\n${await this.logPanelText()}`,
        );
      }
      await this.page.waitForTimeout(POLL_MS);
    }
    await this.dismissInvokeNotice(message);
  }

  /**
   * Saves a picture of one message (author, time and card) as Teams shows it. The Playground's "Your response
   * was sent to the app" notice is closed first: Teams does not show it.
   */
  async screenshot(message: Locator, path: string): Promise<void> {
    await this.dismissInvokeNotice(message);
    await mkdir(dirname(path), { recursive: true });
    // A card taller than the chat pane would be captured through the scrolled pane, cut and overlapped by the
    // page header: grow the window until the whole message fits, then put it back.
    const viewport = this.page.viewportSize();
    const box = await message.boundingBox();
    const needed = box === null ? 0 : Math.ceil(box.height) + SCREENSHOT_MARGIN_PX;
    try {
      if (viewport !== null && needed > viewport.height) await this.page.setViewportSize({ width: viewport.width, height: needed });
      await message.scrollIntoViewIfNeeded();
      await message.screenshot({ path, animations: 'disabled' });
    } finally {
      if (viewport !== null && needed > viewport.height) await this.page.setViewportSize(viewport);
    }
  }

  /** Opens a conversation from the Playground's side list: "Personal Chat", "Group Chat" or a channel ("General"). */
  async openConversation(name: string): Promise<void> {
    await this.page.getByRole('treeitem').filter({ hasText: name }).first().click();
    await this.page.waitForTimeout(SETTLE_MS);
  }

  /** In a channel: every thread the bot started or replied in, as the page groups them (first post and replies). */
  channelThreads(): Locator {
    return this.page.locator('[role="group"]').filter({ has: this.page.getByText('Test Bot', { exact: true }) });
  }

  /**
   * In a channel: starts a new post "@Test Bot `text`" (the channel's "Start a new post" box). As in Teams,
   * the Playground sends the bot only the channel posts that @mention it; the mention is picked from the
   * list "@" opens.
   */
  async postInChannel(text: string): Promise<void> {
    const composer = this.page.locator('[role="group"]').filter({ hasText: 'Start a new post' }).first();
    await composer.getByRole('textbox').click();
    await this.page.keyboard.type('@');
    await this.page.getByRole('menuitem').filter({ hasText: 'Test Bot' }).first().click();
    await this.page.keyboard.type(` ${text}`);
    await this.page.getByRole('button', { name: 'Post', exact: true }).click();
  }

  /** The text of the Playground's log panel: every activity it exchanged with the bot and its status code. */
  async logPanelText(): Promise<string> {
    const text = await this.page
      .locator('body')
      .innerText({ timeout: 2_000 })
      .catch(() => '');
    const start = text.lastIndexOf('Log Panel');
    return (start >= 0 ? text.slice(start) : text).slice(-4_000);
  }

  private async dismissInvokeNotice(message: Locator): Promise<void> {
    const dismiss = message.getByRole('button', { name: 'Dismiss Invoke Message' });
    // The message may be redrawn under us (the bot updates it in place after the invoke): a notice that is
    // gone by then needs no closing.
    if ((await dismiss.count()) > 0) await dismiss.first().click({ timeout: 2_000 }).catch(() => undefined);
  }
}
