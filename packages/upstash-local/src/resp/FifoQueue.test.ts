import { describe, expect, it } from 'vitest';
import { FifoQueue } from './FifoQueue.js';

describe('FifoQueue', () => {
  it('hands items back oldest first, across compactions and refills', () => {
    const queue = new FifoQueue<number>();
    const out: number[] = [];
    let next = 0;
    // Uneven pushes and shifts cross the compaction threshold many times.
    for (let round = 0; round < 50; round++) {
      for (let i = 0; i < 3000; i++) queue.push(next++);
      for (let i = 0; i < 2000 + round; i++) out.push(queue.shift()!);
      expect(queue.size).toBe(next - out.length);
      expect(queue.peek()).toBe(out.length);
    }
    out.push(...queue.drain());
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(queue.size).toBe(0);
    expect(queue.shift()).toBeUndefined();
    expect(queue.peek()).toBeUndefined();
  });

  it('starts over cleanly once emptied', () => {
    const queue = new FifoQueue<string>();
    queue.push('a');
    expect(queue.shift()).toBe('a');
    queue.push('b');
    queue.push('c');
    expect([queue.shift(), queue.shift(), queue.shift()]).toEqual(['b', 'c', undefined]);
  });
});
