import { randomUUID } from 'node:crypto';
import { afterAll, describe, expect, it } from 'vitest';
import { type DemoServer, startDemoServer } from './server.js';

/** 30 paid calls, each from another demo user so that only the IP scope can say no. */
async function thirtyPayments(server: DemoServer, forwardedFor: (i: number) => string) {
  const answers = { ok: 0, limited: 0, other: 0 };
  for (let i = 0; i < 30; i++) {
    const response = await fetch(`${server.url}/trpc/checkout.pay`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'x-demo-user': `shopper-${i}`,
        'x-forwarded-for': forwardedFor(i),
      },
      body: JSON.stringify({ json: { amountCents: 100, idempotencyKey: randomUUID() } }),
    });
    await response.text();
    if (response.status === 200) answers.ok++;
    else if (response.status === 429) answers.limited++;
    else answers.other++;
  }
  return answers;
}

const ROWS: [string, (i: number) => string][] = [
  ['the same address every time', () => '198.51.100.7'],
  ['a different IPv4 address each time', (i) => `203.0.113.${i + 1}`],
  ['a different address inside one IPv6 /64', (i) => `2001:db8:1:2::${(i + 1).toString(16)}`],
  ['`10.N.0.1, 203.0.113.9` (forged left hops)', (i) => `10.${i}.0.1, 203.0.113.9`],
];

describe('the per-IP limit cannot be talked out of with X-Forwarded-For (DEMO_IP_LIMIT=10)', () => {
  const servers: DemoServer[] = [];
  const table = ['| X-Forwarded-For sent by the client | answered 200 | answered 429 |', '|---|---|---|'];
  afterAll(async () => {
    console.log(`\n${table.join('\n')}\n`);
    await Promise.all(servers.map((server) => server.close()));
  });

  it.each(ROWS)('%s: 10 answered, 20 limited', async (label, forwardedFor) => {
    const server = await startDemoServer({
      store: 'memory',
      log: () => {},
      providerDelayMs: 0,
      limits: { ip: { limit: 10, window: '10 s' }, user: { limit: 100, window: '10 s' } },
    });
    servers.push(server);
    const answers = await thirtyPayments(server, forwardedFor);
    table.push(`| ${label} | ${answers.ok} | ${answers.limited} |`);
    expect(answers).toEqual({ ok: 10, limited: 20, other: 0 });
  });

  it('trusts X-Forwarded-For only when told to (DEMO_TRUST_PROXY=loopback, as the storm does)', async () => {
    const server = await startDemoServer({
      store: 'memory',
      log: () => {},
      providerDelayMs: 0,
      trustProxy: ['loopback'],
      limits: { ip: { limit: 10, window: '10 s' }, user: { limit: 100, window: '10 s' } },
    });
    servers.push(server);
    expect(await thirtyPayments(server, (i) => `203.0.113.${i + 1}`)).toEqual({
      ok: 30,
      limited: 0,
      other: 0,
    });
    // Forged hops to the left of what the trusted proxy appended still do not count.
    expect(await thirtyPayments(server, (i) => `10.${i}.0.1, 198.51.100.99`)).toEqual({
      ok: 10,
      limited: 20,
      other: 0,
    });
  });
});
