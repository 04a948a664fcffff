/**
 * The machinery of the end-to-end tests themselves: the Playground process starts on a free port and stops
 * completely, the browser refuses to leave this machine, and each failure says what to do.
 */
import assert from 'node:assert/strict';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { launchBrowser, PlaygroundChat, type TestBrowser } from '../support/browser';
import { startPlayground, type RunningPlayground } from '../support/playground';

function isRunning(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('end-to-end test support', function () {
  this.timeout(60_000);

  describe('the Agents Playground process', () => {
    const started: RunningPlayground[] = [];
    async function start(port?: number): Promise<RunningPlayground> {
      const playground = await startPlayground({ botEndpoint: 'http://127.0.0.1:9/api/messages', port });
      started.push(playground);
      return playground;
    }
    after(async () => {
      for (const playground of started) await playground.stop();
    });

    it('starts on a free port it reports and serves the chat page there', async () => {
      const playground = await start();
      assert.ok(playground.port > 0, `a real port, got ${playground.port}`);
      assert.equal(playground.url, `http://localhost:${playground.port}`);
      const response = await fetch(`http://127.0.0.1:${playground.port}/`);
      assert.equal(response.status, 200);
      assert.match(await response.text(), /<html/i);
    });

    it('stops the process and frees its port, and a second stop is harmless', async () => {
      const playground = await start();
      await playground.stop();
      await playground.stop();
      assert.equal(isRunning(playground.pid), false, `process ${playground.pid} is gone`);
      assert.equal(await playground.exited, null, 'ended by our signal');
      await assert.rejects(fetch(`http://127.0.0.1:${playground.port}/`), 'nothing listens on the port any more');
    });

    it('falls back to a free port when the one asked for is taken', async () => {
      const blocker: Server = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, resolve));
      const taken = (blocker.address() as AddressInfo).port;
      try {
        const playground = await start(taken);
        assert.notEqual(playground.port, taken);
        assert.equal((await fetch(`http://127.0.0.1:${playground.port}/`)).status, 200);
      } finally {
        await new Promise((resolve) => blocker.close(resolve));
      }
    });
  });

  describe('the browser', () => {
    let browser: TestBrowser | undefined;
    let playground: RunningPlayground | undefined;
    before(async () => {
      browser = await launchBrowser();
    });
    after(async () => {
      await browser?.close();
      await playground?.stop();
    });

    it('names the prerequisites script when Chromium is missing', async () => {
      await assert.rejects(launchBrowser({ executablePath: '/nonexistent/chromium' }), (error: Error) => {
        assert.match(error.message, /\/nonexistent\/chromium/);
        assert.match(error.message, /scripts\/test-prerequisites\.sh/);
        return true;
      });
    });

    it('refuses every request to a host beyond this machine', async () => {
      assert.ok(browser);
      const page = await browser.context.newPage();
      await assert.rejects(page.goto('http://example.com/'), /ERR_BLOCKED_BY_CLIENT/);
      assert.deepEqual(browser.blockedRequests, ['http://example.com/']);
      await page.close();
    });

    it('says the Playground could not reach the bot when nothing answers at the bot endpoint', async () => {
      assert.ok(browser);
      playground = await startPlayground({ botEndpoint: 'http://127.0.0.1:9/api/messages' });
      await assert.rejects(PlaygroundChat.open(browser, playground.url, { connectTimeoutMs: 5_000 }), (error: Error) => {
        assert.match(error.message, /did not connect to the bot within 5000 ms/);
        assert.match(error.message, /Log panel/);
        return true;
      });
    });
  });
});
