import type { Response } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { chooseUser, type DemoPage, intentKey, settledStats } from './demo-page';
import { demoPages } from './demo-pages';

const { url, store } = inject('demoNext');

describe(`edge route handler checkout (next start, ${store} store) in headless Chromium`, () => {
  const pages = demoPages();

  /** The page's calls of `checkout.pay` through `/api/trpc`, as answered. */
  function payResponses(demo: DemoPage): Response[] {
    const responses: Response[] = [];
    demo.page.on('response', (response) => {
      if (new URL(response.url()).pathname.startsWith('/api/trpc/checkout.pay')) responses.push(response);
    });
    return responses;
  }

  it('pays through the edge runtime: a double click charges once, the duplicate replays', async () => {
    expect(store, 'the edge route handler needs Upstash: install redis-server').not.toBe('memory');
    const demo = await pages.open(`${url}/edge`);
    await chooseUser(demo, 'dave');
    const { page } = demo;
    await expect.poll(() => demo.chargeCount()).not.toBeNaN();
    const before = await settledStats(url);
    const firstKey = await intentKey(demo);
    await page.getByTestId('amount-input').fill('19.99');
    const responses = payResponses(demo);

    await page.getByTestId('pay-button').dblclick();
    await page.getByTestId('replayed-badge').waitFor();
    await expect.poll(() => demo.chargeCount()).toBe(before.charges + 1);

    const after = await settledStats(url);
    expect(after.charges - before.charges).toBe(1);
    expect(after.executions - before.executions).toBe(1);
    expect(after.replays - before.replays).toBe(1);
    expect(responses.length).toBeGreaterThanOrEqual(1);
    for (const response of responses) {
      expect(response.status()).toBe(200);
      expect(response.headers()['x-demo-runtime']).toBe('edge');
      expect(response.headers()['ratelimit-policy']).toMatch(/q=\d+;w=10/);
    }
    expect(responses.some((response) => response.headers()['idempotent-replayed'] === 'true')).toBe(true);
    expect(await page.getByTestId('last-result').textContent()).toContain('$19.99');
    expect(await intentKey(demo)).not.toBe(firstKey);
  });

  it('answers 429 with Retry-After past the limit, and the page shows the typed notice', async () => {
    const demo = await pages.open(`${url}/edge`);
    await chooseUser(demo, 'erin');
    const { page } = demo;
    await expect.poll(() => demo.chargeCount()).not.toBeNaN();
    const notice = page.getByTestId('rate-limit-notice');
    const responses = payResponses(demo);
    const before = await settledStats(url);
    let clicks = 0;
    while (!(await notice.isVisible()) && clicks < 12) {
      clicks++;
      await page.getByTestId('pay-button').click();
      await page.getByTestId('pay-button').filter({ hasNotText: 'Paying' }).waitFor();
    }
    expect(await notice.textContent()).toMatch(/“user” limit \(5 requests.*again in [1-9]\d* s/);
    const limited = responses.filter((response) => response.status() === 429);
    expect(limited).toHaveLength(1);
    expect(Number(limited[0]!.headers()['retry-after'])).toBeGreaterThan(0);
    const after = await settledStats(url);
    expect(after.charges - before.charges).toBe(clicks - 1);
  });
});
