/** Defined (as a string) only inside an edge runtime: Next's edge sandbox, Vercel Edge Functions. */
declare const EdgeRuntime: string | undefined;
