import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { FleetModel, SimulatorRunner } from '../agents/sim/simulator.js';
import { startRigline } from './app.js';
import { REDACT_PATHS } from './auth/index.js';
import { ConfigError, loadConfig } from './config/load.js';
import type { Config } from './config/schema.js';

const { values } = parseArgs({ options: { config: { type: 'string', short: 'c' } }, allowPositionals: false });
const configFile = values.config ?? process.env.RIGLINE_CONFIG ?? 'config/rigline.yaml';

let config: Config;
try {
  config = loadConfig(configFile);
} catch (err) {
  if (!(err instanceof ConfigError)) throw err;
  for (const problem of err.problems) console.error(`config error: ${problem}`);
  process.exit(1);
}

const log = pino({ level: config.log.level, redact: { paths: REDACT_PATHS, censor: '[redacted]' } });
const model = config.sim.enabled
  ? new FleetModel({
      sites: config.sim.sites,
      rigsPerSite: config.sim.rigs_per_site,
      seed: config.sim.seed,
      intervalMs: config.sim.interval_ms,
      faultRate: config.sim.fault_rate,
      gpuEvery: config.sim.gpu_every,
      startMs: Date.now(),
    })
  : null;

const rigline = await startRigline(config, {
  log,
  siteNames: new Map(model?.sites.map((s) => [s.id, s.name]) ?? []),
}).catch((err: NodeJS.ErrnoException & { address?: string; port?: number }) => {
  // A port taken by another program is the most common start failure: one clear line, not a stack trace.
  if (err.code !== 'EADDRINUSE' && err.code !== 'EACCES') throw err;
  const why = err.code === 'EADDRINUSE' ? 'is already in use' : 'needs privileges this user lacks';
  console.error(`cannot listen on ${err.address ?? 'its address'}:${err.port ?? '?'}: the port ${why}; set PORT (HTTP) or MQTT_PORT (embedded MQTT broker) to a free port`);
  process.exit(1);
});
const sim = model ? new SimulatorRunner(model, { url: rigline.mqttUrl, credentials: rigline.localAgent ?? undefined, onProblem: (msg) => log.warn(`simulator: ${msg}`) }) : null;
sim?.start();

log.info({ http: rigline.httpUrl, mqtt: rigline.mqttUrl }, 'rigline started');
console.log(`\n  rigline is running: ${rigline.httpUrl}\n  MQTT: ${rigline.mqttUrl}`);
if (sim) console.log(`  simulated fleet: ${config.sim.sites} sites × ${config.sim.rigs_per_site} rigs (seed ${config.sim.seed})`);
const { identity } = rigline.security;
if (identity.anonymousRole) {
  console.log(`  anonymous visitors may use the app as '${identity.anonymousRole}' without logging in (demo; production requires login)`);
} else console.log('  login required (auth.anonymous: none)');
if (identity.demoAdmin) console.log(`  demo admin login: ${identity.demoAdmin.username} / ${identity.demoAdmin.password}  (new each start)`);
console.log('');

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  log.info({ signal }, 'shutting down');
  await sim?.stop();
  await rigline.stop();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
