const usd = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD' });

export const formatCents = (cents: number): string => usd.format(cents / 100);

export const shortKey = (key: string): string => `${key.slice(0, 8)}…`;

/** `"12.5"` → `"$12.50"` for the Pay button; the server validates the amount itself. */
export function formatAmount(text: string): string {
  return /^\d{1,5}(\.\d{1,2})?$/.test(text.trim()) ? usd.format(Number(text)) : '';
}
