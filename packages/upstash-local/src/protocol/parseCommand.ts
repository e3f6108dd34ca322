import { HttpError } from '../http/HttpError.js';
import { mapInSlices } from '../slices/mapInSlices.js';

/**
 * Validates one command from a request body and turns every argument into a string, as Redis
 * needs. Numbers and booleans are stringified (the Upstash client sends them raw); anything
 * else is a client bug and gets a 400 rather than a surprising `[object Object]` in Redis.
 *
 * @example
 * parseCommand(['SET', 'k', 1, true]); // ['SET', 'k', '1', 'true']
 */
export function parseCommand(value: unknown, where = 'The request body'): string[] {
  if (!Array.isArray(value)) {
    throw new HttpError(400, `[upstash-local] ${where} must be a JSON array like ["SET","key","value"].`);
  }
  if (value.length === 0) {
    throw new HttpError(400, `[upstash-local] ${where} is an empty command; send at least the command name.`);
  }
  if (typeof value[0] !== 'string' || value[0] === '') {
    throw new HttpError(400, `[upstash-local] ${where} must start with the command name as a string.`);
  }
  return value.map((arg, index) => {
    if (typeof arg === 'string') return arg;
    if (typeof arg === 'number' || typeof arg === 'boolean') return String(arg);
    throw new HttpError(
      400,
      `[upstash-local] ${where}: argument ${index} is ${arg === null ? 'null' : typeof arg}; send strings, numbers or booleans (JSON.stringify objects first).`,
    );
  });
}

/**
 * Validates the body of /pipeline and /multi-exec: a non-empty array of commands. Every command is
 * checked before any runs (in slices, so a huge list does not block other requests meanwhile).
 *
 * @example
 * await parseCommandList([['SET', 'k', 'v'], ['GET', 'k']], '/pipeline');
 */
export async function parseCommandList(value: unknown, endpoint: string): Promise<string[][]> {
  if (!Array.isArray(value)) {
    throw new HttpError(400, `[upstash-local] The body of ${endpoint} must be a JSON array of commands.`);
  }
  if (value.length === 0) {
    throw new HttpError(
      400,
      `[upstash-local] The body of ${endpoint} is an empty list; send at least one command.`,
    );
  }
  return mapInSlices(value, (command, index) => parseCommand(command, `Command ${index} of ${endpoint}`));
}
