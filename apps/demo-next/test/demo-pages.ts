import type { Browser } from 'playwright-core';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { launchChromium } from './chromium';
import { type DemoPage, expectNoPageErrors, openDemoPage } from './demo-page';

/**
 * One Chromium for the test file, and the demo page each test opens: closed after the test, which
 * then checks that the page logged no error. Call at the top of a `describe`.
 */
export function demoPages(): {
  open: (url: string, options?: { javaScript?: boolean }) => Promise<DemoPage>;
} {
  let browser: Browser | undefined;
  let demo: DemoPage | undefined;
  beforeAll(async () => {
    browser = await launchChromium();
  });
  afterAll(async () => {
    await browser?.close();
  });
  afterEach(async () => {
    await demo?.close();
    expectNoPageErrors(demo);
    demo = undefined;
  });
  return {
    async open(url, options) {
      if (!browser) throw new Error('demoPages(): open pages inside tests');
      demo = await openDemoPage(browser, url, options);
      return demo;
    },
  };
}
