import { createElement, Fragment, type ReactElement, useState } from 'react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { checkIdempotencyKey } from '../idempotency/key.js';
import { type IdempotencyKeyState, useIdempotencyKey } from './use-idempotency-key.js';

// react-dom ships no types of its own and @types/react-dom is not a devDependency: type the one
// function used here.
const { renderToString } = (await import('react-dom/server' as string)) as {
  renderToString(element: ReactElement): string;
};

/**
 * These tests render with React's real server renderer. A state update made *during* render
 * (React's "render-phase update") makes React render the component again with its hook state
 * kept, which gives real re-renders and a real `rotate()` without a DOM.
 */
function Probe({
  seen,
  rerenders = 0,
  rotateOnce = false,
  initialKey,
}: {
  seen: IdempotencyKeyState[];
  rerenders?: number;
  rotateOnce?: boolean;
  initialKey?: string;
}) {
  const state = useIdempotencyKey({ initialKey });
  const [renders, setRenders] = useState(0);
  seen.push(state);
  if (rotateOnce && seen.length === 1) state.rotate();
  else if (renders < rerenders) setRenders(renders + 1);
  return createElement('span', null, renders);
}

/** The hidden field of a form that works without JavaScript. */
function KeyField({ initialKey }: { initialKey: string }) {
  const { key } = useIdempotencyKey({ initialKey });
  return createElement('input', { type: 'hidden', name: 'idempotencyKey', value: key });
}

/** Renders a freshly imported copy of the hook. */
function FreshProbe({ useKey }: { useKey: () => IdempotencyKeyState }) {
  return createElement('span', null, useKey().key);
}

afterEach(() => {
  vi.unstubAllGlobals();
  vi.resetModules();
});

describe('useIdempotencyKey', () => {
  it('gives a key that passes the server key rule', () => {
    const seen: IdempotencyKeyState[] = [];
    renderToString(createElement(Probe, { seen }));
    expect(seen).toHaveLength(1);
    expect(checkIdempotencyKey(seen[0]!.key)).toBeUndefined();
  });

  it('keeps the key (and rotate) across re-renders', () => {
    const seen: IdempotencyKeyState[] = [];
    const html = renderToString(createElement(Probe, { seen, rerenders: 3 }));
    expect(html).toBe('<span>3</span>');
    expect(seen).toHaveLength(4);
    expect(new Set(seen.map((state) => state.key)).size).toBe(1);
    expect(new Set(seen.map((state) => state.rotate)).size).toBe(1);
  });

  it('rotate() re-renders with a new valid key', () => {
    const seen: IdempotencyKeyState[] = [];
    renderToString(createElement(Probe, { seen, rotateOnce: true }));
    expect(seen).toHaveLength(2);
    const [before, after] = seen.map((state) => state.key);
    expect(after).not.toBe(before);
    expect(checkIdempotencyKey(after)).toBeUndefined();
    expect(seen[1]!.rotate).toBe(seen[0]!.rotate);
  });

  it('gives each component its own key', () => {
    const seen: IdempotencyKeyState[] = [];
    renderToString(
      createElement(Fragment, null, ...[1, 2, 3].map((n) => createElement(Probe, { key: n, seen }))),
    );
    expect(new Set(seen.map((state) => state.key)).size).toBe(3);
  });

  it('starts from initialKey, so the server renders that key into the markup', () => {
    const seen: IdempotencyKeyState[] = [];
    const html = renderToString(createElement(KeyField, { initialKey: 'server-key-1' }));
    expect(html).toBe('<input type="hidden" name="idempotencyKey" value="server-key-1"/>');
    renderToString(createElement(Probe, { seen, initialKey: 'server-key-1', rerenders: 2 }));
    expect(seen.map((state) => state.key)).toEqual(['server-key-1', 'server-key-1', 'server-key-1']);
  });

  it('rotate() after an initialKey starts the next intent with a fresh key', () => {
    const seen: IdempotencyKeyState[] = [];
    renderToString(createElement(Probe, { seen, initialKey: 'server-key-2', rotateOnce: true }));
    const [before, after] = seen.map((state) => state.key);
    expect(before).toBe('server-key-2');
    expect(after).not.toBe('server-key-2');
    expect(checkIdempotencyKey(after)).toBeUndefined();
  });

  it('makes its own key when initialKey is undefined, and refuses one that is not a string', () => {
    const seen: IdempotencyKeyState[] = [];
    renderToString(createElement(Probe, { seen, initialKey: undefined }));
    expect(checkIdempotencyKey(seen[0]!.key)).toBeUndefined();
    const render = () => renderToString(createElement(Probe, { seen, initialKey: 42 as unknown as string }));
    expect(render).toThrow(/useIdempotencyKey\(\{ initialKey \}\) must be a string/);
  });

  it('touches no crypto at import time (SSR-safe), only when a component renders', async () => {
    vi.stubGlobal('crypto', undefined);
    vi.resetModules();
    const react = await import('./index.js');
    expect(typeof react.useIdempotencyKey).toBe('function');
    const render = () => renderToString(createElement(FreshProbe, { useKey: react.useIdempotencyKey }));
    expect(render).toThrow(/\[trpc-guardrails\] .*needs Web Crypto/);
  });
});
