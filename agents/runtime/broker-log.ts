import type { Logger } from 'pino';
import type { Publisher } from '../publisher/publisher.js';

/** A failure the broker keeps giving for the same reason is repeated in the log at most this often. */
const REPEAT_MS = 60_000;

/**
 * Logs the broker connection as an operator needs it: each failure at once with its reason (wrong password, no
 * broker, TLS) and the wait before the next try, the same reason again only once a minute, and the recovery.
 */
export function logBrokerConnection(publisher: Publisher, log: Logger, now: () => number = Date.now): void {
  let last: { reason: string; at: number } | null = null;
  let failing = false;
  publisher.onConnectionProblem(({ reason, retryInMs, url }) => {
    failing = true;
    const at = now();
    if (last && last.reason === reason && at - last.at < REPEAT_MS) return;
    last = { reason, at };
    const where = redact(url);
    const retry = retryInMs >= 1000 ? `${Math.round(retryInMs / 100) / 10} s` : `${retryInMs} ms`;
    log.warn({ broker: where, reason, retry_in_ms: retryInMs }, `cannot connect to the MQTT broker at ${where}: ${reason}; retrying in ${retry}`);
  });
  publisher.client.on('connect', () => {
    if (failing) log.info('connected to the MQTT broker again');
    else log.info('connected to the MQTT broker');
    failing = false;
    last = null;
  });
}

/** The broker URL without credentials a URL may carry (`mqtt://user:secret@host`), fit for a log line. */
export function redact(url: string): string {
  try {
    const parsed = new URL(url);
    if (parsed.username || parsed.password) {
      parsed.username = parsed.username ? '***' : '';
      parsed.password = '';
    }
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return url.replace(/\/\/[^@/]*@/, '//***@');
  }
}
