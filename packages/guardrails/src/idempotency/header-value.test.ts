import { parseItem } from 'structured-headers';
import { describe, expect, it } from 'vitest';
import { callsToSameProcedure } from './batch-calls.js';
import { parseKeyField } from './header-value.js';

describe('parseKeyField', () => {
  it.each([
    ['"8e03978e-40d5-43e8-bc93-6894a57f9324"', '8e03978e-40d5-43e8-bc93-6894a57f9324'],
    ['  "with spaces inside"  ', 'with spaces inside'],
    ['"a \\"quoted\\" \\\\ key"', 'a "quoted" \\ key'],
    ['"k";created=1', 'k'],
    ['""', ''],
  ])('reads the RFC 9651 String %s as an RFC 9651 parser does', (field, key) => {
    expect(parseKeyField(field)).toEqual({ key });
    expect(parseItem(field)[0]).toBe(key);
  });

  it.each([['8e03978e-40d5-43e8-bc93-6894a57f9324'], ['KG5LxwFBepaKHyUD']])(
    'takes a bare value %s as it is',
    (field) => {
      expect(parseKeyField(field)).toEqual({ key: field });
    },
  );

  it.each([
    ['"open', /no closing quote/],
    ['"a", "b"', /more than one value/],
    ['a, b', /list of values/],
    ['a"b', /quotes may only surround/],
    ['"a\\nb"', /may be escaped/],
    ['"naïve"', /printable ASCII/],
  ])('refuses %s', (field, problem) => {
    expect(parseKeyField(field)).toEqual({ problem: expect.stringMatching(problem) });
  });
});

describe('callsToSameProcedure', () => {
  it('counts the calls of a batch that go to the same procedure', () => {
    expect(callsToSameProcedure('/trpc/pay,refund,pay?batch=1', 0)).toBe(2);
    expect(callsToSameProcedure('/trpc/pay,refund,pay?batch=1', 1)).toBe(1);
    expect(callsToSameProcedure('http://h/trpc/a.pay,a%2Epay?batch=1&input=%7B%7D', 1)).toBe(2);
  });

  it('says 1 for a request that is not a batch, or a URL it cannot read', () => {
    expect(callsToSameProcedure('/trpc/pay,pay', 0)).toBe(1);
    expect(callsToSameProcedure('/trpc/pay,pay?batch=10', 0)).toBe(1);
    expect(callsToSameProcedure('/trpc/pay?batch=1', 3)).toBe(1);
    expect(callsToSameProcedure(undefined, 0)).toBe(1);
  });
});
