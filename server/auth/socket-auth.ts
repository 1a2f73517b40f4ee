import type { Server, Socket } from 'socket.io';
import type { Identity, Principal, Resolution } from './identity.js';
import type { CredentialStore } from './store.js';

/** The credentials a socket connected with, kept so they can be judged again when credentials change. */
interface Presented {
  cookie: string | undefined;
  authorization: string | undefined;
}

const same = (a: Principal, b: Principal): boolean => a.kind === b.kind && a.username === b.username && a.role === b.role;

/**
 * socket.io connections authenticate like HTTP requests: the session cookie of the page, or a bearer token in
 * `auth.token` / the Authorization header (scripts). A refused handshake gets connect_error 'unauthenticated'.
 *
 * A socket lives for hours, so the decision is not made once: whenever the credentials change (logout, token
 * revocation, a user deleted or given another role, here or on another instance through the credentials file),
 * every open socket is judged again and those whose principal is gone or changed are disconnected at once.
 */
export function authenticateSockets(io: Server, identity: Identity, store: CredentialStore): void {
  const judge = (presented: Presented): Principal | null => {
    const resolution: Resolution = identity.resolve(presented.cookie, presented.authorization);
    return identity.principalOf(resolution);
  };
  io.use((socket, next) => {
    const { headers } = socket.handshake;
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const presented: Presented = { cookie: headers.cookie, authorization: typeof token === 'string' ? `Bearer ${token}` : headers.authorization };
    const principal = judge(presented);
    if (!principal) {
      next(new Error('unauthenticated'));
      return;
    }
    socket.data.principal = principal;
    socket.data.presented = presented;
    next();
  });
  store.watch(() => {
    for (const socket of io.of('/').sockets.values() as IterableIterator<Socket>) {
      const before = socket.data.principal as Principal | undefined;
      const presented = socket.data.presented as Presented | undefined;
      if (!before || !presented) continue;
      const now = judge(presented);
      if (!now || !same(before, now)) socket.disconnect(true);
    }
  });
}
