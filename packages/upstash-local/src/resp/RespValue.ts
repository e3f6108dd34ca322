import type { RedisReplyError } from './RedisReplyError.js';

/** A decoded RESP2 reply: bulk and simple strings become UTF-8 strings, nil becomes `null`. */
export type RespValue = string | number | null | RedisReplyError | RespValue[];
