/** Below this many consumed slots compaction is not worth a copy. */
const MIN_COMPACT = 1024;

/**
 * A first-in first-out queue with O(1) amortised `push` and `shift`.
 *
 * `Array.prototype.shift` moves every remaining element, so draining n items costs O(n²): with
 * 100,000 replies in flight that was seconds of blocked event loop. Here a head index walks
 * forward instead, and the consumed front is cut off only once it is at least half the array,
 * so each element is copied at most once more on average.
 *
 * @example
 * const queue = new FifoQueue<string>();
 * queue.push('a');
 * queue.push('b');
 * queue.shift(); // 'a'
 * queue.size; // 1
 */
export class FifoQueue<T> {
  private items: (T | undefined)[] = [];
  private head = 0;

  /** Items waiting. */
  get size(): number {
    return this.items.length - this.head;
  }

  push(item: T): void {
    this.items.push(item);
  }

  /** The oldest item, left in place; undefined when empty. */
  peek(): T | undefined {
    return this.head < this.items.length ? this.items[this.head] : undefined;
  }

  /** Removes and returns the oldest item; undefined when empty. */
  shift(): T | undefined {
    if (this.head >= this.items.length) return undefined;
    const item = this.items[this.head];
    this.items[this.head] = undefined; // release it for GC now, not at the next compaction
    this.head++;
    if (this.head === this.items.length) {
      this.items = [];
      this.head = 0;
    } else if (this.head >= MIN_COMPACT && this.head * 2 >= this.items.length) {
      this.items = this.items.slice(this.head);
      this.head = 0;
    }
    return item;
  }

  /** Removes and returns every item, oldest first. */
  drain(): T[] {
    const rest = this.items.slice(this.head) as T[];
    this.items = [];
    this.head = 0;
    return rest;
  }
}
