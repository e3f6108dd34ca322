/** pids of redis-servers started by this process and not yet stopped. */
const livePids = new Set<number>();
let hooked = false;

/**
 * Tracks a redis-server so it is killed when this process exits normally. The watchdog covers
 * crashes; this makes the common case (process.exit, end of event loop) immediate.
 */
export function trackRedisPid(pid: number): () => void {
  livePids.add(pid);
  if (!hooked) {
    hooked = true;
    process.once('exit', () => {
      for (const livePid of livePids) {
        try {
          process.kill(livePid, 'SIGTERM');
        } catch {
          // already gone
        }
      }
    });
  }
  return () => livePids.delete(pid);
}
