import { DEFAULT_PORT } from './client.js';

/**
 * Parses the `HOST[:PORT]` a user types (`10.0.0.17`, `10.0.0.17:4029`, `miner-07.local`, `[fe80::1]:4028`).
 * Throws an Error that names the problem.
 */
export function parseHostPort(input: string): { host: string; port: number } {
  const text = input.trim();
  const bracketed = /^\[([^\]]+)\](?::(\d+))?$/.exec(text);
  const plain = /^([^:\s]+)(?::(\d+))?$/.exec(text);
  const match = bracketed ?? plain;
  if (!match || !match[1]) throw new Error(`'${input}' is not HOST or HOST:PORT (e.g. 10.0.0.17 or 10.0.0.17:4028)`);
  const port = match[2] === undefined ? DEFAULT_PORT : Number(match[2]);
  if (!Number.isInteger(port) || port < 1 || port > 65535) throw new Error(`port ${match[2]} is out of range 1-65535`);
  return { host: match[1], port };
}
