import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config/load.js';
import { describeAgent, issueAgent } from './agents.js';
import { writeMosquittoFiles } from './mosquitto-files.js';
import { ROLES, type Role } from './roles.js';
import { USER_ITERATIONS, hashPassword, randomSecret } from './secrets.js';
import { CredentialStore } from './store.js';
import { RigSites } from '../ingest/rig-sites.js';
import { Identity } from './identity.js';

const USAGE = `usage: rigline-server <command> [--config file]
  agents add <name> --site <site> [--rig <rig>]...   MQTT credentials for an agent (prints its password once)
  agents add <name> --ingest                          MQTT credentials for a server instance's ingest client
  agents list | agents revoke <name>
  users add <name> --role viewer|operator|planner|admin [--password-stdin] [--site a,b]  (--site: the only sites it acts on)
  users list | users remove <name>
  users hash [--password-stdin]                       a password_hash for auth.users in the config file
  tokens create <user> --name <label> [--role <role>] an API token for scripts (prints it once)
  tokens list | tokens revoke <id>
  rigs move <rig> --site <site>                       an admin's move of a rig to another site (ingest.rig_sites_file)
Writes auth.credentials_file and, for agents, Mosquitto's password_file and acl_file (auth.mosquitto.*);
send Mosquitto SIGHUP to reload them. --file, --password-file and --acl-file override the config's paths.`;

type Out = (line: string) => void;

function readPassword(fromStdin: boolean | undefined): { password: string; generated: boolean } {
  if (!fromStdin) return { password: randomSecret(15), generated: true };
  const password = readFileSync(0, 'utf8').replace(/\r?\n$/, '');
  if (password.length < 12) throw new Error('password: at least 12 characters');
  return { password, generated: false };
}

/** Runs one CLI command; returns the exit code. Errors are one line each, like config problems. */
export async function runCli(argv: string[], env: NodeJS.ProcessEnv, out: Out = console.log, err: Out = console.error): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        config: { type: 'string', short: 'c' },
        file: { type: 'string' },
        'password-file': { type: 'string' },
        'acl-file': { type: 'string' },
        site: { type: 'string' },
        rig: { type: 'string', multiple: true },
        ingest: { type: 'boolean' },
        role: { type: 'string' },
        name: { type: 'string' },
        'password-stdin': { type: 'boolean' },
        json: { type: 'boolean' },
      },
    });
  } catch (e) {
    err(`error: ${(e as Error).message}`);
    err(USAGE);
    return 2;
  }
  const { values, positionals } = parsed;
  const [group, action, target] = positionals;
  if (!group || group === 'help' || !action) {
    out(USAGE);
    return group && group !== 'help' ? 2 : 0;
  }
  try {
    const config = loadConfig(values.config ?? env.RIGLINE_CONFIG ?? 'config/rigline.yaml', env);
    if (group === 'rigs' && action === 'move') {
      const rigsFile = values.file ?? config.ingest.rig_sites_file;
      if (!rigsFile) throw new Error('ingest.rig_sites_file is null (memory only): use PUT /api/admin/rigs/<rig>/site, or pass --file');
      if (!target || !values.site) throw new Error('rigs move: usage rigs move <rig> --site <site>');
      const previous = RigSites.moveInFile(rigsFile, target, values.site, 'cli');
      out(`rig ${target} moved ${previous ? `from ${previous} ` : ''}to ${values.site} (a running server picks it up within a second)`);
      return 0;
    }
    const file = values.file ?? config.auth.credentials_file;
    if (!file) throw new Error('auth.credentials_file is null (memory only): pass --file');
    const store = new CredentialStore(file);
    const role = (value: string | undefined, fallback?: Role): Role => {
      const chosen = value ?? fallback;
      if (!chosen || !(ROLES as readonly string[]).includes(chosen)) throw new Error(`--role: one of ${ROLES.join(', ')}`);
      return chosen as Role;
    };
    const need = (what: string): string => {
      if (!target) throw new Error(`${group} ${action}: missing <${what}>`);
      return target;
    };
    const mosquitto = (): void => {
      const passwordFile = values['password-file'] ?? config.auth.mosquitto.password_file;
      const aclFile = values['acl-file'] ?? config.auth.mosquitto.acl_file;
      writeMosquittoFiles(store, passwordFile, aclFile);
      out(`wrote ${passwordFile} and ${aclFile} (reload Mosquitto: kill -HUP <pid>)`);
    };

    if (group === 'agents' && action === 'add') {
      const { record, password } = issueAgent(store, { username: need('name'), kind: values.ingest ? 'ingest' : 'agent', site: values.site, rigs: values.rig });
      out(values.json ? JSON.stringify({ username: record.username, password }) : `agent ${record.username} (${record.kind}${record.site ? `, site ${record.site}` : ''}${record.rigs ? `, rigs ${record.rigs.join(' ')}` : ''})\npassword: ${password}\n(shown only once; give it to the agent as its MQTT password)`);
      mosquitto();
    } else if (group === 'agents' && action === 'list') {
      for (const agent of store.agents().map(describeAgent)) {
        out(values.json ? JSON.stringify(agent) : `${agent.username}\t${agent.kind}\t${agent.site ?? '-'}\t${agent.rigs?.join(',') ?? '*'}\t${agent.revoked ? `revoked ${agent.revoked}` : 'active'}`);
      }
    } else if (group === 'agents' && action === 'revoke') {
      if (!store.revokeAgent(need('name'))) throw new Error(`no active agent ${target}`);
      out(`agent ${target} revoked`);
      mosquitto();
    } else if (group === 'users' && action === 'add') {
      const { password, generated } = readPassword(values['password-stdin']);
      const sites = values.site ? values.site.split(',').filter(Boolean) : null;
      store.putUser({ username: need('name'), role: role(values.role), hash: hashPassword(password, USER_ITERATIONS), created: new Date().toISOString(), sites });
      out(`user ${target} (${values.role})${generated ? `\npassword: ${password}\n(shown only once)` : ''}`);
    } else if (group === 'users' && action === 'list') {
      for (const user of store.users()) out(`${user.username}\t${user.role}\t${user.created}\t${user.sites?.join(',') ?? '*'}`);
    } else if (group === 'users' && action === 'remove') {
      if (!store.deleteUser(need('name'))) throw new Error(`no user ${target}`);
      out(`user ${target} removed`);
    } else if (group === 'users' && action === 'hash') {
      const { password, generated } = readPassword(values['password-stdin']);
      if (generated) out(`password: ${password}`);
      out(`password_hash: '${hashPassword(password, USER_ITERATIONS)}'`);
    } else if (group === 'tokens' && action === 'create') {
      const identity = new Identity(store, config.auth);
      const owner = identity.person(need('user'));
      if (!owner) throw new Error(`no user ${target}`);
      if (!values.name) throw new Error('tokens create: --name <label> is required');
      const { id, token } = identity.issueToken(owner, role(values.role, owner.role), values.name);
      out(values.json ? JSON.stringify({ id, token }) : `token ${id}: ${token}\n(shown only once; send it as Authorization: Bearer <token>)`);
    } else if (group === 'tokens' && action === 'list') {
      for (const t of store.tokens()) out(`${t.id}\t${t.username}\t${t.role}\t${t.name}\t${t.revoked ? `revoked ${t.revoked}` : 'active'}`);
    } else if (group === 'tokens' && action === 'revoke') {
      if (!store.revokeToken(need('id'))) throw new Error(`no active token ${target}`);
      out(`token ${target} revoked`);
    } else {
      err(`unknown command: ${group} ${action}`);
      err(USAGE);
      return 2;
    }
    return 0;
  } catch (e) {
    if (e instanceof ConfigError) for (const problem of e.problems) err(`config error: ${problem}`);
    else err(`error: ${(e as Error).message}`);
    return 1;
  }
}
