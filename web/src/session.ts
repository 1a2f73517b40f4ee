import { api, post } from './api.js';
import { h } from './format.js';

interface Me {
  kind: 'user' | 'token' | 'anonymous' | 'none';
  username?: string | null;
  role: string | null;
}

/** Who is using the app, once known: views offer only the actions this role may take. */
export const session: { me: Me | null } = { me: null };

/** Whether the signed-in role may acknowledge, resolve, note and silence alerts (server/auth/roles.ts). */
export function canActOnAlerts(): boolean {
  return session.me?.role === 'operator' || session.me?.role === 'admin';
}

/** Whether logging in could give this visitor the alert actions (an anonymous viewer), so a link is worth showing. */
export function mayLogInToAct(): boolean {
  return session.me?.kind === 'anonymous' || session.me?.kind === 'none';
}

/** Header widget: who is signed in and with which role, with log in / log out. */
export async function mountSession(el: HTMLElement): Promise<void> {
  const me = await api<Me>('/api/auth/me').catch(() => null);
  session.me = me;
  if (!me) return;
  if (me.kind === 'user' && me.username) {
    el.innerHTML = `<span class="who" data-testid="who">${h(me.username)} · ${h(me.role ?? '')}</span> <a href="#" data-logout>Log out</a>`;
    el.querySelector('[data-logout]')?.addEventListener('click', (event) => {
      event.preventDefault();
      void post('/api/auth/logout', {}).finally(() => location.assign('/login'));
    });
  } else {
    el.innerHTML = `<span class="who muted" data-testid="who">${me.role ? `viewing as ${h(me.role)}` : ''}</span> <a href="/login">Log in</a>`;
  }
}
