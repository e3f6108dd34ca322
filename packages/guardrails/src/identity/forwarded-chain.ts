import type { WorkMeter } from './budget.js';
import type { ForwardingHeader } from './client-address-options.js';
import { forwardedFor } from './forwarded-for.js';
import { listTail } from './list-tail.js';
import { type ParsedNode, parseNode } from './parse-node.js';

/** The hops of a forwarding header, nearest first. */
export interface ForwardedChain {
  hops: ParsedNode[];
  /** `false` when the budget ended before the leftmost hop. */
  complete: boolean;
}

const INVALID: ParsedNode = { kind: 'invalid' };

/**
 * Reads `X-Forwarded-For` (`client, proxy1, proxy2`) or `Forwarded` (`for=client, for=proxy1`)
 * from the right within the fixed budget, one parsed node per hop. Never throws.
 */
export function forwardedChain(value: string, header: ForwardingHeader, meter: WorkMeter): ForwardedChain {
  const forwarded = header === 'forwarded';
  const tail = listTail(value, forwarded, meter);
  const hops = tail.elements.map((element): ParsedNode => {
    meter.chars += element.length;
    if (!forwarded) return parseNode(element);
    const node = forwardedFor(element);
    return node === undefined ? INVALID : parseNode(node.trim());
  });
  return { hops, complete: tail.complete };
}
