import type { Request } from 'playwright-core';
import { describe, expect, inject, it } from 'vitest';
import { chooseUser, type DemoPage, intentKey, settledStats } from './demo-page';
import { demoPages } from './demo-pages';

const { url, store } = inject('demoNext');

describe(`Server Action checkout (next start, ${store} store) in headless Chromium`, () => {
  const pages = demoPages();

  /** Server Action POSTs of the page: with JavaScript they carry `Next-Action`, without it they post the form. */
  function countActionPosts(demo: DemoPage): Request[] {
    const posts: Request[] = [];
    demo.page.on('request', (request) => {
      if (request.method() === 'POST' && new URL(request.url()).pathname === '/') posts.push(request);
    });
    return posts;
  }

  it('charges a double submit once: two POSTs, one execution, one replay', async () => {
    const demo = await pages.open(url);
    await chooseUser(demo, 'alice');
    const { page } = demo;
    const before = await settledStats(url);
    const firstKey = await intentKey(demo);
    await page.getByTestId('amount-input').fill('42.00');
    const posts = countActionPosts(demo);

    await page.getByTestId('pay-button').dblclick();
    await page.getByTestId('replayed-badge').waitFor();
    await expect.poll(() => demo.chargeCount()).toBe(before.charges + 1);

    const after = await settledStats(url);
    const figures = {
      requests: posts.length,
      executions: after.executions - before.executions,
      replays: after.replays - before.replays,
      charges: after.charges - before.charges,
    };
    console.log(`[figures] Server Action double submit: ${JSON.stringify(figures)}`);
    expect(posts.every((post) => post.headers()['next-action'])).toBe(true);
    expect(figures).toEqual({ requests: 2, executions: 1, replays: 1, charges: 1 });
    expect(await page.getByTestId('last-result').textContent()).toContain('$42.00');
    // A success starts the next intent: useIdempotencyKey() took over from the server's key.
    expect(await intentKey(demo)).not.toBe(firstKey);
  });

  it('works without JavaScript: the key comes with the markup; a resubmitted form replays', async () => {
    const demo = await pages.open(url, { javaScript: false });
    await chooseUser(demo, 'bob', { javaScript: false });
    const { page } = demo;
    const before = await settledStats(url);
    const key = await page.locator('input[name="idempotencyKey"]').inputValue();
    expect(key).toMatch(/^[0-9a-f-]{36}$/);
    await page.getByTestId('amount-input').fill('7.00');
    const posts = countActionPosts(demo);

    await page.getByTestId('pay-button').click();
    await page.getByTestId('last-result').filter({ hasText: 'Charged' }).waitFor();
    // Reloading the answer of a POST sends the same form again: the duplicate a server sees when
    // JavaScript is off (Chromium drops a second click while the first submit is pending).
    await page.reload();
    await page.getByTestId('replayed-badge').waitFor();

    let after = await settledStats(url);
    const figures = {
      requests: posts.length,
      executions: after.executions - before.executions,
      replays: after.replays - before.replays,
      charges: after.charges - before.charges,
    };
    console.log(`[figures] Server Action without JavaScript, submit + resubmit: ${JSON.stringify(figures)}`);
    expect(figures).toEqual({ requests: 2, executions: 1, replays: 1, charges: 1 });
    expect(posts.every((post) => post.postData()?.includes(key))).toBe(true);
    expect(await page.getByTestId('last-result').textContent()).toContain('$7.00');
    expect(await demo.chargeCount()).toBe(after.charges);

    // The page rendered after the payment carries the next intent's key: a new charge.
    expect(await page.locator('input[name="idempotencyKey"]').inputValue()).not.toBe(key);
    await page.getByTestId('pay-button').click();
    await page.getByTestId('last-result').filter({ hasText: 'Charged' }).waitFor();
    after = await settledStats(url);
    expect(after.charges - before.charges).toBe(2);

    // Past the limit the server renders the typed notice into the page.
    const notice = page.getByTestId('rate-limit-notice');
    for (let click = 0; click < 6 && !(await notice.isVisible()); click++) {
      await page.getByTestId('pay-button').click();
    }
    expect(await notice.textContent()).toMatch(/“user” limit \(5 requests.*again in [1-9]\d* s/);
  });

  it('shows the typed rate-limit notice past the limit, and charges nothing more', async () => {
    const demo = await pages.open(url);
    await chooseUser(demo, 'carol');
    const { page } = demo;
    const notice = page.getByTestId('rate-limit-notice');
    const before = await settledStats(url);
    let clicks = 0;
    while (!(await notice.isVisible()) && clicks < 12) {
      clicks++;
      await page.getByTestId('pay-button').click();
      await page.getByTestId('pay-button').filter({ hasNotText: 'Paying' }).waitFor();
    }
    const text = await notice.textContent();
    expect(text).toContain('“user” limit (5 requests');
    expect(Number(text?.match(/again in (\d+) s/)?.[1])).toBeGreaterThan(0);
    const after = await settledStats(url);
    // Each success started a new intent: five charges, then the sixth request was refused.
    expect(after.charges - before.charges).toBe(clicks - 1);
    expect(after.limited - before.limited).toBe(1);
    await expect.poll(() => demo.chargeCount()).toBe(after.charges);
  });
});
