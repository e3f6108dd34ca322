import { describe, expect, it } from 'vitest';
import { postJson } from './testing/postJson.js';
import setup, { type ProvidingProject } from './vitest-setup.js';

describe('vitest globalSetup', () => {
  it('provides url and token, exports them to env, and tears down', async () => {
    const provided: Record<string, unknown> = {};
    const project: ProvidingProject = {
      provide: (key, value) => {
        provided[key] = value;
      },
    };
    const teardown = await setup(project);
    const { url, token } = provided.upstashLocal as { url: string; token: string };
    expect(process.env.UPSTASH_LOCAL_URL).toBe(url);
    expect(process.env.UPSTASH_LOCAL_TOKEN).toBe(token);
    expect((await postJson(url, ['PING'], { token })).json).toEqual({ result: 'PONG' });
    await teardown();
    await expect(fetch(url)).rejects.toThrow();
  });
});
