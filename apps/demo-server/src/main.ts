import type { Duration } from 'trpc-guardrails';
import { startDemoServer } from './server.js';

const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';

// DEMO_OTEL=1: record the guard's decisions as OpenTelemetry (the SDK loads only then).
const telemetry = process.env.DEMO_OTEL
  ? (await import('./telemetry/demo-telemetry.js')).startDemoTelemetry()
  : undefined;

const server = await startDemoServer({
  port,
  host,
  telemetry,
  prefix: process.env.DEMO_PREFIX ?? 'demo',
  // Knobs for fault tests (the nemesis): a short lease, a provider that takes its time.
  ...(process.env.DEMO_LEASE && { lease: process.env.DEMO_LEASE as Duration }),
  ...(process.env.DEMO_PROVIDER_DELAY_MS && { providerDelayMs: Number(process.env.DEMO_PROVIDER_DELAY_MS) }),
  limits: {
    ...(process.env.DEMO_USER_LIMIT && {
      user: { limit: Number(process.env.DEMO_USER_LIMIT), window: '10 s' },
    }),
    ...(process.env.DEMO_IP_LIMIT && { ip: { limit: Number(process.env.DEMO_IP_LIMIT), window: '10 s' } }),
  },
});
console.error(`[demo-server] store: ${server.store.description}`);
if (telemetry) {
  console.error(
    `[demo-server] OpenTelemetry: recording in memory; POST ${server.url}/otel/export hands it over as OTLP/JSON`,
  );
}
console.error(`[demo-server] checkout demo at ${server.url}/ (API at ${server.url}/trpc). Ctrl-C to stop.`);

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`[demo-server] ${signal}: finishing requests in flight and landing their outcomes…`);
    void server.close({ timeoutMs: 10_000 }).then(
      ({ outcomesGivenUp }) => {
        if (outcomesGivenUp > 0)
          console.error(
            `[demo-server] ${outcomesGivenUp} outcome(s) could not be stored (see outcome-lost lines)`,
          );
        process.exit(0);
      },
      (error: unknown) => {
        console.error('[demo-server] stopping failed', error);
        process.exit(1);
      },
    );
  });
}
