import { fileURLToPath } from 'node:url';
import type { DemoServer } from 'demo-server';
import type { Browser, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from './chromium.js';
import { ledgerStats, startTestServer, testStore } from './demo-servers.js';

// Every run leaves a screenshot in artifacts/ (ignored by git); UPDATE_SCREENSHOT=1 refreshes the
// one the README shows, so ordinary test runs leave the tree clean.
const SCREENSHOT = fileURLToPath(
  new URL(
    process.env.UPDATE_SCREENSHOT ? '../../../docs/demo.png' : '../../../artifacts/demo.png',
    import.meta.url,
  ),
);

describe(`checkout page in headless Chromium (${testStore} store)`, () => {
  let server: DemoServer;
  let browser: Browser;
  let page: Page;
  const pageErrors: string[] = [];

  beforeAll(async () => {
    [server, browser] = await Promise.all([startTestServer(), launchChromium()]);
  });
  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });
  afterEach(async () => {
    await page?.context().close();
    expect(pageErrors).toEqual([]);
  });

  async function openAs(user: string): Promise<Page> {
    const context = await browser.newContext({ viewport: { width: 1120, height: 780 } });
    page = await context.newPage();
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url);
    await page.getByTestId('user-select').selectOption(user);
    await expect.poll(() => chargeCountShown()).not.toBeNaN();
    return page;
  }

  const chargeCountShown = async () => Number(await page.getByTestId('charge-count').textContent());
  const charges = async () => (await ledgerStats(server.url)).charges;

  /** Waits for the Pay button to be idle again (no request of the page in flight). */
  const settled = () => page.getByTestId('pay-button').filter({ hasNotText: 'Paying' }).waitFor();

  it('charges a double click on Pay once; the second request is a replay', async () => {
    await openAs('alice');
    const before = await ledgerStats(server.url);
    await page.getByTestId('amount-input').fill('42.00');
    await page.getByTestId('pay-button').dblclick();
    await page.getByTestId('replayed-badge').waitFor();
    await settled();
    await expect.poll(chargeCountShown).toBe(before.charges + 1);
    const after = await ledgerStats(server.url);
    expect(after.charges - before.charges).toBe(1);
    expect(after.executions - before.executions).toBe(1);
    expect(after.replays - before.replays).toBe(1);
    expect(await page.getByTestId('last-result').textContent()).toContain('$42.00');
  });

  it('retries a lost response with the same key: the result is shown and charged once', async () => {
    await openAs('bob');
    const before = await ledgerStats(server.url);
    await page.getByTestId('flaky-toggle').check();
    await page.getByTestId('pay-button').click();
    await page.getByTestId('last-result').filter({ hasText: 'ch_' }).waitFor();
    await settled();
    expect(await page.getByTestId('replayed-badge').isVisible()).toBe(true);
    expect(await page.getByTestId('attempts').textContent()).toMatch(/attempt [2-9]/);
    expect(await page.getByTestId('flaky-toggle').isChecked()).toBe(false);
    const after = await ledgerStats(server.url);
    expect(after.charges - before.charges).toBe(1);
    expect(after.droppedResponses - before.droppedResponses).toBe(1);
    await expect.poll(chargeCountShown).toBe(after.charges);
  });

  it('shows a live countdown past the rate limit and charges nothing more', async () => {
    await openAs('carol');
    await page.getByTestId('pay-button').click();
    await page.getByTestId('last-result').filter({ hasText: 'ch_' }).waitFor();
    await settled();
    const afterFirst = await charges();
    const notice = page.getByTestId('rate-limit-notice');
    const secondsLeft = async () =>
      Number((await notice.textContent({ timeout: 1_000 }))?.match(/in (\d+) s/)?.[1]);
    let first = 0;
    for (let click = 0; click < 12 && first === 0; click++) {
      await page.getByTestId('pay-button').click();
      await settled();
      if (await notice.isVisible()) first = await secondsLeft().catch(() => 0);
    }
    expect(first).toBeGreaterThan(0);
    await page.screenshot({ path: SCREENSHOT });
    // A sliding window may ask for as little as 1 s: then the notice must go away by itself.
    if (first >= 2) await expect.poll(secondsLeft, { timeout: 3_000 }).toBeLessThan(first);
    else await notice.waitFor({ state: 'hidden', timeout: 3_000 });
    expect(await charges()).toBe(afterFirst);
    expect((await ledgerStats(server.url)).limited).toBeGreaterThanOrEqual(1);
    await expect.poll(chargeCountShown).toBe(afterFirst);
  });

  it('starts a new intent with New payment: a second charge', async () => {
    await openAs('alice');
    const before = await charges();
    await page.getByTestId('pay-button').click();
    const firstResult = page.getByTestId('last-result').filter({ hasText: 'ch_' });
    await firstResult.waitFor();
    await settled();
    const firstText = await firstResult.textContent();
    const firstKey = await page.locator('.intent code').getAttribute('title');
    await page.getByTestId('new-intent-button').click();
    expect(await page.locator('.intent code').getAttribute('title')).not.toBe(firstKey);
    await page.getByTestId('pay-button').click();
    await page.getByTestId('last-result').filter({ hasText: 'Charged' }).waitFor();
    await settled();
    expect(await page.getByTestId('last-result').textContent()).not.toBe(firstText);
    expect(await charges()).toBe(before + 2);
    await expect.poll(chargeCountShown).toBe(before + 2);
  });
});
