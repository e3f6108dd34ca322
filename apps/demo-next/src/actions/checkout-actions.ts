'use server';

import { refresh } from 'next/cache';
import { cookies } from 'next/headers';
import { toActionResult } from 'trpc-guardrails/next';
import { demoUser, USER_COOKIE } from '../server/context';
import { getPayAction } from '../server/pay-action';
import type { PayState } from '../shared/pay-state';

/**
 * The Pay form's action, for `useActionState`: with JavaScript it is called by React, without
 * it the browser posts the form and Next renders the page with the returned state.
 */
export async function payAction(_previous: PayState, form: FormData): Promise<PayState> {
  const result = await toActionResult(() => getPayAction()(form), {
    internalErrorMessage: 'The server failed. Press Pay again: the same intent is never charged twice.',
  });
  refresh(); // the page re-renders its ledger with this response
  return { ...result, key: field(form, 'idempotencyKey'), amount: field(form, 'amount'), at: Date.now() };
}

/** Chooses the demo user (a cookie standing in for a login session). */
export async function chooseUser(form: FormData): Promise<void> {
  const user = demoUser(field(form, 'user'));
  (await cookies()).set(USER_COOKIE, user, { httpOnly: true, sameSite: 'lax', path: '/', maxAge: 86_400 });
}

function field(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}
