/** A raw HTTP call to the gateway, for the cases the real client never produces. */
export async function postJson(
  url: string,
  body: unknown,
  options: { token?: string; path?: string; headers?: Record<string, string>; raw?: boolean } = {},
): Promise<{ status: number; json: any; headers: Headers }> {
  const headers: Record<string, string> = { 'Content-Type': 'application/json', ...options.headers };
  if (options.token !== undefined) headers.Authorization = `Bearer ${options.token}`;
  const res = await fetch(`${url}${options.path ?? '/'}`, {
    method: 'POST',
    headers,
    body: options.raw ? (body as string) : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? JSON.parse(text) : undefined, headers: res.headers };
}
