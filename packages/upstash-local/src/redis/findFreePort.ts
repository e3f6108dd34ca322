import { createServer } from 'node:net';

/**
 * Asks the OS for a free TCP port on `host`. Another process may grab it before we use it,
 * so callers retry on "address in use".
 *
 * @example
 * const port = await findFreePort('127.0.0.1');
 */
export function findFreePort(host = '127.0.0.1'): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, host, () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}
