import { useSyncExternalStore } from 'react';

/** What the page's controls set for the requests it sends (read by the tRPC links). */
export interface DemoSettings {
  user: string;
  /** When set, the next payment's response is lost after the server ran it. */
  flakyArmed: boolean;
}

let settings: DemoSettings = { user: 'alice', flakyArmed: false };
const listeners = new Set<() => void>();

export function getSettings(): DemoSettings {
  return settings;
}

export function updateSettings(patch: Partial<DemoSettings>): void {
  settings = { ...settings, ...patch };
  for (const listener of listeners) listener();
}

/** Returns `true` once after the switch was armed, and disarms it: "the next response" only. */
export function takeFlaky(): boolean {
  if (!settings.flakyArmed) return false;
  updateSettings({ flakyArmed: false });
  return true;
}

export function useDemoSettings(): DemoSettings {
  return useSyncExternalStore(
    (listener) => {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    () => settings,
  );
}
