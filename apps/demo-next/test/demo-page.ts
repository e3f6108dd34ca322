import type { Browser, BrowserContext, Page } from 'playwright-core';
import { expect } from 'vitest';

/** The ledger as `/api/stats` reports it. */
export interface Stats {
  store: string;
  charges: number;
  executions: number;
  replays: number;
  limited: number;
  conflicts: number;
}

export async function ledgerStats(url: string): Promise<Stats> {
  const response = await fetch(`${url}/api/stats`);
  if (!response.ok) throw new Error(`/api/stats answered ${response.status}`);
  return (await response.json()) as Stats;
}

/**
 * The stats once they stop moving: the guard's events are counted after the response (`after()`),
 * so a count may land a moment after the page showed the result.
 */
export async function settledStats(url: string): Promise<Stats> {
  let previous = await ledgerStats(url);
  for (let attempt = 0; attempt < 25; attempt++) {
    await new Promise((resolve) => setTimeout(resolve, 200));
    const current = await ledgerStats(url);
    if (JSON.stringify(current) === JSON.stringify(previous)) return current;
    previous = current;
  }
  throw new Error(`/api/stats kept changing for 5 s: ${JSON.stringify(previous)}`);
}

/** A page of the demo in its own browser context, with what went wrong in it collected. */
export interface DemoPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught exceptions and console errors (hydration mismatches included). */
  errors: string[];
  chargeCount(): Promise<number>;
  close(): Promise<void>;
}

export async function openDemoPage(
  browser: Browser,
  url: string,
  { javaScript = true }: { javaScript?: boolean } = {},
): Promise<DemoPage> {
  const context = await browser.newContext({
    javaScriptEnabled: javaScript,
    viewport: { width: 1120, height: 820 },
  });
  const page = await context.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    // A 429 is an answer the page handles, not an error of the page.
    if (message.type() === 'error' && !/status of 429/.test(message.text())) errors.push(message.text());
  });
  await page.goto(url);
  return {
    page,
    context,
    errors,
    chargeCount: async () => Number(await page.getByTestId('charge-count').textContent()),
    close: () => context.close(),
  };
}

/** Picks the demo user with the page's own control (a Server Action setting a cookie). */
export async function chooseUser(
  { page }: DemoPage,
  user: string,
  { javaScript = true } = {},
): Promise<void> {
  await page.getByTestId('user-select').selectOption(user);
  if (!javaScript) await page.getByTestId('user-submit').click();
  await page.locator(`[data-testid="current-user"][data-user="${user}"]`).waitFor();
}

/** The key the page will send with the next Pay (the hidden field, or the one shown). */
export async function intentKey({ page }: DemoPage): Promise<string | null> {
  return page.getByTestId('intent-key').getAttribute('title');
}

export function expectNoPageErrors(demo: DemoPage | undefined): void {
  expect(demo?.errors ?? []).toEqual([]);
}
