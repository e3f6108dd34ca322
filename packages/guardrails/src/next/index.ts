export { actionResponseHeaders } from './action-response-headers.js';
export type { ActionFailure, ActionResult, ActionResultOptions, ActionSuccess } from './action-result.js';
export { toActionResult } from './to-action-result.js';
