import superjson from 'superjson';

/** A handler's result of about `bytes` as superjson JSON: line items with dates and amounts. */
export function makePayload(bytes: number) {
  const item = (i: number) => ({
    id: `item_${String(i).padStart(6, '0')}`,
    label: `Line ${i} — ${'consulting hours, '.repeat(2)}`.slice(0, 48),
    amountCents: 1_000 + i,
    at: new Date(Date.UTC(2026, 0, 1) + i * 60_000),
  });
  const items: ReturnType<typeof item>[] = [];
  const result = { invoiceId: 'in_1', createdAt: new Date(Date.UTC(2026, 0, 1)), items };
  // Add items in steps until the serialized result reaches the size.
  let step = Math.max(1, Math.floor(bytes / 160));
  while (superjson.stringify(result).length < bytes) {
    for (let i = 0; i < step; i++) items.push(item(items.length));
    step = Math.max(1, Math.floor((bytes - superjson.stringify(result).length) / 160));
  }
  return result;
}
