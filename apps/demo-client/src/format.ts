const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export const formatCents = (cents: number): string => usd.format(cents / 100);

/** `"12.5"` → 1250; `undefined` when it is not a positive amount. */
export function parseAmount(text: string): number | undefined {
  if (!/^\d+(\.\d{0,2})?$/.test(text.trim())) return undefined;
  const cents = Math.round(Number(text) * 100);
  return cents > 0 && cents <= 1_000_000 ? cents : undefined;
}

export const shortKey = (key: string): string => `${key.slice(0, 8)}…`;
