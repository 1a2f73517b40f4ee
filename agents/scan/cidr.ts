/** IPv4 CIDR ranges for discovery. Larger than a /16 (65,536 addresses) is refused: nobody means to sweep a /8. */
export const MIN_PREFIX = 16;

export interface Cidr {
  network: number;
  prefix: number;
  /** Host addresses to scan, in order (network and broadcast addresses excluded for prefixes up to /30). */
  hosts: string[];
}

export function parseIpv4(text: string): number | null {
  const parts = text.split('.');
  if (parts.length !== 4) return null;
  let value = 0;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part)) return null;
    const octet = Number(part);
    if (octet > 255) return null;
    value = value * 256 + octet;
  }
  return value;
}

export function formatIpv4(value: number): string {
  return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join('.');
}

/**
 * Parses `10.0.0.0/22` (a bare address means /32). Throws an Error that says exactly what is wrong with the input,
 * for the CLI to print.
 */
export function parseCidr(input: string): Cidr {
  const text = input.trim();
  const match = /^([^/]+)(?:\/(\d{1,2}))?$/.exec(text);
  if (!match) throw new Error(`'${input}' is not an IPv4 range; expected e.g. 10.0.0.0/22`);
  const address = parseIpv4(match[1] ?? '');
  if (address === null) throw new Error(`'${match[1]}' is not an IPv4 address (four numbers 0-255, e.g. 10.0.0.0)`);
  const prefix = match[2] === undefined ? 32 : Number(match[2]);
  if (prefix > 32) throw new Error(`prefix /${prefix} is out of range: use /${MIN_PREFIX} to /32`);
  if (prefix < MIN_PREFIX) {
    throw new Error(`/${prefix} is ${2 ** (32 - prefix)} addresses; scan at most a /${MIN_PREFIX} at a time`);
  }
  const size = 2 ** (32 - prefix);
  const network = Math.floor(address / size) * size;
  const first = prefix <= 30 ? network + 1 : network;
  const last = prefix <= 30 ? network + size - 2 : network + size - 1;
  const hosts: string[] = [];
  for (let a = first; a <= last; a++) hosts.push(formatIpv4(a));
  return { network, prefix, hosts };
}
