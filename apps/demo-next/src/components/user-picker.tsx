'use client';

import { chooseUser } from '../actions/checkout-actions';
import { DEMO_USERS, type DemoUser } from '../server/context';

/**
 * Picks the demo user (a cookie, set by a Server Action). With JavaScript a change submits at
 * once; without it, the Switch button does.
 */
export function UserPicker({ user, onChange }: { user: DemoUser; onChange?: () => void }) {
  return (
    <form action={chooseUser} className="user-picker">
      <label>
        Customer
        <select
          name="user"
          data-testid="user-select"
          defaultValue={user}
          onChange={(event) => {
            onChange?.();
            event.currentTarget.form?.requestSubmit();
          }}
        >
          {DEMO_USERS.map((name) => (
            <option key={name} value={name}>
              {name}
            </option>
          ))}
        </select>
      </label>
      <noscript>
        <button type="submit" data-testid="user-submit">
          Switch
        </button>
      </noscript>
      <span className="muted small" data-testid="current-user" data-user={user}>
        paying as {user}
      </span>
    </form>
  );
}
