// @vitest-environment happy-dom
import { act, cleanup, render } from '@testing-library/react';
import { createElement, StrictMode } from 'react';
import { afterEach, expect, it } from 'vitest';
import { checkIdempotencyKey } from '../idempotency/key.js';
import { type IdempotencyKeyState, useIdempotencyKey } from './use-idempotency-key.js';

afterEach(cleanup);

/** Records what every render of the hook saw. */
let seen: IdempotencyKeyState[] = [];

function Probe() {
  const state = useIdempotencyKey();
  seen.push(state);
  return createElement('output', null, state.key);
}

/** Renders the hook in a real DOM under StrictMode. */
function renderInStrictMode() {
  seen = [];
  const view = render(createElement(StrictMode, null, createElement(Probe)));
  return { seen, view, latest: () => seen.at(-1)! };
}

it('keeps one key through StrictMode double renders and effects, in a real DOM', () => {
  const { seen, view } = renderInStrictMode();
  expect(seen.length).toBeGreaterThanOrEqual(2); // StrictMode rendered twice
  expect(new Set(seen.map((state) => state.key)).size).toBe(1);
  expect(checkIdempotencyKey(seen[0]!.key)).toBeUndefined();
  expect(view.container.textContent).toBe(seen[0]!.key);
});

it('rotate() starts a new intent with a new key, once, and the key then stays', () => {
  const { seen, latest, view } = renderInStrictMode();
  const first = latest().key;
  act(() => latest().rotate());
  const second = latest().key;
  expect(second).not.toBe(first);
  view.rerender(createElement(StrictMode, null, createElement('div')));
  expect(new Set(seen.slice(seen.findIndex((s) => s.key === second)).map((s) => s.key)).size).toBe(1);
});
