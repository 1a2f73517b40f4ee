import { runCli } from '../../../server/auth/cli.js';

/**
 * A read-only API token for a benchmark's server, made the way an operator makes one: `rigline-server users add`
 * then `tokens create --json` against the server's own config (its auth.credentials_file). The server reads the
 * credentials file at start, so call this before starting it. Send it as `Authorization: Bearer <token>`.
 */
const issued = new Map<string, string>();

export async function issueBenchToken(configFile: string, user = 'bench'): Promise<string> {
  const known = issued.get(configFile);
  if (known) return known; // a restarted server keeps its credentials file
  const out: string[] = [];
  const errors: string[] = [];
  const cli = (args: string[]): Promise<number> => runCli([...args, '--config', configFile], {}, (l) => out.push(l), (l) => errors.push(l));
  if ((await cli(['users', 'add', user, '--role', 'viewer'])) !== 0) throw new Error(`users add: ${errors.join('; ')}`);
  out.length = 0;
  if ((await cli(['tokens', 'create', user, '--name', 'benchmark', '--json'])) !== 0) throw new Error(`tokens create: ${errors.join('; ')}`);
  const { token } = JSON.parse(out.join('')) as { token: string };
  issued.set(configFile, token);
  return token;
}
