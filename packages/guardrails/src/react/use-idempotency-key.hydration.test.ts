// @vitest-environment happy-dom
import { act } from '@testing-library/react';
import { createElement, type ReactElement } from 'react';
import { afterEach, expect, it } from 'vitest';
import { checkIdempotencyKey } from '../idempotency/key.js';
import { type IdempotencyKeyState, useIdempotencyKey } from './use-idempotency-key.js';

// @types/react-dom types these entry points; import them untyped to keep to the two functions used.
const { renderToString } = (await import('react-dom/server' as string)) as {
  renderToString(element: ReactElement): string;
};
const { hydrateRoot } = (await import('react-dom/client' as string)) as {
  hydrateRoot(
    container: Element,
    element: ReactElement,
    options: { onRecoverableError(error: unknown): void },
  ): { unmount(): void; render(element: ReactElement): void };
};

let latest: IdempotencyKeyState | undefined;

/** A Pay form as a page renders it: the key in a hidden field and shown as text. */
function PayForm({ serverKey }: { serverKey?: string }) {
  const state = useIdempotencyKey({ initialKey: serverKey });
  latest = state;
  return createElement(
    'form',
    null,
    createElement('input', { type: 'hidden', name: 'idempotencyKey', value: state.key }),
    createElement('output', null, state.key),
  );
}

const roots: { unmount(): void }[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) act(() => root.unmount());
  document.body.innerHTML = '';
});

/** Server-renders the element, then hydrates that markup in a real DOM with React's client. */
function serverRenderThenHydrate(element: ReactElement) {
  const container = document.createElement('div');
  container.innerHTML = renderToString(element);
  document.body.append(container);
  const serverOutput = container.querySelector('output');
  const errors: unknown[] = [];
  act(() => {
    roots.push(hydrateRoot(container, element, { onRecoverableError: (error) => errors.push(error) }));
  });
  return { container, serverOutput, errors };
}

it('hydrates the server-rendered key as is: no mismatch, the same DOM, the same key', () => {
  const { container, serverOutput, errors } = serverRenderThenHydrate(
    createElement(PayForm, { serverKey: 'intent-from-the-server' }),
  );
  expect(errors).toEqual([]);
  expect(container.querySelector('output')).toBe(serverOutput); // hydrated, not re-rendered
  expect(container.querySelector('input')?.getAttribute('value')).toBe('intent-from-the-server');
  expect(latest?.key).toBe('intent-from-the-server');

  act(() => latest!.rotate());
  expect(latest?.key).not.toBe('intent-from-the-server');
  expect(checkIdempotencyKey(latest?.key)).toBeUndefined();
  expect(container.querySelector('output')?.textContent).toBe(latest?.key);
});

it('without initialKey, the browser makes another key than the server rendered (the mismatch it avoids)', () => {
  const { container, errors } = serverRenderThenHydrate(createElement(PayForm));
  expect(errors.length).toBeGreaterThan(0);
  expect(String(errors[0])).toMatch(/[Hh]ydrat/);
  // React threw the server's markup away and rendered the client's key instead.
  expect(container.querySelector('output')?.textContent).toBe(latest?.key);
});
