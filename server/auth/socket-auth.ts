import type { Server } from 'socket.io';
import type { Identity } from './identity.js';

/**
 * socket.io connections authenticate like HTTP requests: the session cookie of the page, or a bearer token in
 * `auth.token` / the Authorization header (scripts). A refused handshake gets connect_error 'unauthenticated'.
 */
export function authenticateSockets(io: Server, identity: Identity): void {
  io.use((socket, next) => {
    const { headers } = socket.handshake;
    const token = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    const authorization = typeof token === 'string' ? `Bearer ${token}` : headers.authorization;
    const principal = identity.principalOf(identity.resolve(headers.cookie, authorization));
    if (!principal) {
      next(new Error('unauthenticated'));
      return;
    }
    socket.data.principal = principal;
    next();
  });
}
