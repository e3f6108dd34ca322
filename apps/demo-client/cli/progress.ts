import type { StormTally } from './storm-run.js';

/** One updating line on a terminal; a plain line a second otherwise (CI logs, pipes). */
export function createProgress(stream: NodeJS.WriteStream, total: { requests: number; intents: number }) {
  const tty = Boolean(stream.isTTY);
  let lastPlain = 0;
  let lastTty = 0;
  const line = (tally: StormTally) =>
    `storm: ${tally.intentsDone}/${total.intents} intents · ${tally.requests} requests (~${total.requests} + retries) · ` +
    `${tally.replays} replays · ${tally.rateLimited} × 429 · ${tally.lostResponses} lost`;
  return {
    update(tally: StormTally) {
      const now = Date.now();
      if (tty) {
        if (now - lastTty < 50) return;
        lastTty = now;
        stream.write(`\r\x1b[2K${line(tally)}`);
      } else if (now - lastPlain >= 1000) {
        lastPlain = now;
        stream.write(`${line(tally)}\n`);
      }
    },
    done(tally: StormTally) {
      stream.write(tty ? `\r\x1b[2K${line(tally)}\n` : `${line(tally)}\n`);
    },
  };
}
