import { launchDemoNext } from './launch.js';

const demo = await launchDemoNext({
  port: Number(process.env.PORT ?? 3001),
  host: process.env.HOST ?? '127.0.0.1',
});
console.error(`[demo-next] store: ${demo.store.description}`);
console.error(
  `[demo-next] Server Action checkout at ${demo.url}/ and the edge route handler at ${demo.url}/edge. Ctrl-C to stop.`,
);

let stopping = false;

/** Stops next start and the store once, whatever asked first. */
function shutdown(reason: string, exitCode: number): void {
  if (stopping) return;
  stopping = true;
  console.error(`[demo-next] ${reason}: stopping next start and the store…`);
  demo.stop().then(
    () => process.exit(exitCode),
    (error: unknown) => {
      console.error('[demo-next] stopping failed', error);
      process.exit(1);
    },
  );
}

for (const signal of ['SIGINT', 'SIGTERM'] as const) process.once(signal, () => shutdown(signal, 0));
// next start died on its own: do not leave the store running behind a dead app.
void demo.exited.then((code) => shutdown(`next start exited (${code})`, 1));
