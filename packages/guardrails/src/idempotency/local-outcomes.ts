import type { GuardrailsStore, StoredOutcome } from '../stores/types.js';

type Listener = (outcome: StoredOutcome) => void;

/**
 * @internal Duplicates waiting in this process for an owner in this process: when the owner's
 * outcome is stored, they get it at once, with no store request.
 */
export class LocalOutcomes {
  private readonly listeners = new Map<string, Set<Listener>>();

  /** Resolves with the outcome when an owner in this process stores it; `cancel` stops listening. */
  next(recordKey: string): { outcome: Promise<StoredOutcome>; cancel(): void } {
    let listener!: Listener;
    const outcome = new Promise<StoredOutcome>((resolve) => {
      listener = resolve;
    });
    let set = this.listeners.get(recordKey);
    if (!set) {
      set = new Set();
      this.listeners.set(recordKey, set);
    }
    set.add(listener);
    const cancel = () => {
      const current = this.listeners.get(recordKey);
      current?.delete(listener);
      if (current?.size === 0) this.listeners.delete(recordKey);
    };
    return { outcome, cancel };
  }

  /** Called once the store confirmed the outcome. */
  publish(recordKey: string, outcome: StoredOutcome): void {
    const set = this.listeners.get(recordKey);
    if (!set) return;
    this.listeners.delete(recordKey);
    for (const listener of set) listener(outcome);
  }
}

const boards = new WeakMap<GuardrailsStore, LocalOutcomes>();

/** @internal The board of one store instance (guards sharing a store share it). */
export function localOutcomesOf(store: GuardrailsStore): LocalOutcomes {
  let board = boards.get(store);
  if (!board) {
    board = new LocalOutcomes();
    boards.set(store, board);
  }
  return board;
}
