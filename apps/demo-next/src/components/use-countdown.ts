'use client';

import { useEffect, useState } from 'react';

/**
 * Whole seconds left until `deadline` (epoch ms), ticking; `undefined` until mounted, so the
 * server's markup (and a page without JavaScript) shows a figure of its own.
 */
export function useCountdown(deadline: number): number | undefined {
  const [now, setNow] = useState<number>();
  useEffect(() => {
    setNow(Date.now());
    const timer = setInterval(() => setNow(Date.now()), 250);
    return () => clearInterval(timer);
  }, []);
  return now === undefined ? undefined : Math.max(0, Math.ceil((deadline - now) / 1000));
}
