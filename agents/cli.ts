import { writeFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { readNvidiaSmi } from './nvidia-smi/source.js';
import { toGpuSample } from './nvidia-smi/sample.js';
import { mergeDcgm, scrapeDcgm } from './dcgm/dcgm.js';
import type { Agent } from './runtime/agent.js';
import { AgentConfigError, loadAgentConfig } from './runtime/config.js';
import { NotInThisBuild, loadCgminer, loadScan } from './runtime/optional.js';
import { formatAsicSample, formatGpuSample } from './runtime/probe-print.js';
import { startAgent } from './runtime/start.js';
import { AGENT_VERSION } from './runtime/transport.js';

const USAGE = `rigline-agent ${AGENT_VERSION}: reads ASIC miners and NVIDIA GPUs and publishes telemetry over MQTT.

usage:
  rigline-agent [run] [--config FILE]              poll the configured sources and publish (default command)
  rigline-agent probe HOST[:PORT] [--json]         read one miner's cgminer API once and print it
  rigline-agent probe --nvidia-smi [--path BIN] [--format xml|csv] [--dcgm URL] [--json]
                                                   read the local GPUs once and print them
  rigline-agent scan CIDR [--port N] [--site ID] [--write FILE]
                                                   find miners in a subnet; --write saves an agent config for them

  --config defaults to $RIGLINE_AGENT_CONFIG or /etc/rigline-agent/agent.yaml.
Exit codes: 0 ok, 1 invalid configuration or failed command, 2 bad usage.`;

class UsageError extends Error {}

function fail(message: string, code: number): never {
  console.error(message);
  process.exit(code);
}

async function run(configFile: string): Promise<void> {
  const config = loadAgentConfig(configFile);
  const agent: Agent = await startAgent(config);
  const stats = setInterval(() => console.error(JSON.stringify({ msg: 'agent stats', ...agent.stats() })), 60_000);
  stats.unref();
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) process.exit(130); // a second signal: do not wait any longer
    stopping = true;
    void agent.stop(`${signal} received`).then(() => process.exit(0));
  };
  process.on('SIGINT', () => stop('SIGINT'));
  process.on('SIGTERM', () => stop('SIGTERM'));
}

async function probeGpus(values: { path?: string; format?: string; dcgm?: string; json?: boolean }): Promise<void> {
  const format = values.format ?? 'xml';
  if (format !== 'xml' && format !== 'csv') throw new UsageError(`--format must be xml or csv, got ${format}`);
  let report = await readNvidiaSmi(values.path ?? 'nvidia-smi', format, 10_000);
  const errors: string[] = [];
  if (values.dcgm) {
    try {
      report = { ...report, entries: mergeDcgm(report.entries, await scrapeDcgm(values.dcgm, 10_000)) };
    } catch (err) {
      errors.push(`DCGM: ${(err as Error).message}`);
    }
  }
  const sample = toGpuSample(report, { site: 'probe', rig: 'probe', ts: Date.now(), intervalS: 10, hostModel: null, errors });
  console.log(values.json ? JSON.stringify(sample, null, 2) : formatGpuSample(sample));
}

async function probeMiner(target: string, json: boolean): Promise<void> {
  const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(target);
  if (!match) throw new UsageError(`probe: expected HOST or HOST:PORT, got ${target}`);
  const host = (match[1] as string).replace(/^\[|\]$/g, '');
  const port = match[2] ? Number(match[2]) : undefined;
  const cgminer = await loadCgminer();
  const sample = await cgminer.probeCgminer(host, port, { timeoutMs: 10_000 });
  console.log(json ? JSON.stringify(sample, null, 2) : formatAsicSample(sample));
}

async function scan(cidr: string, values: { port?: string; site?: string; write?: string }): Promise<void> {
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new UsageError(`--port must be a TCP port, got ${values.port}`);
  if (values.write && !values.site) throw new UsageError('scan --write needs --site ID (the site the config is for)');
  const scanner = await loadScan();
  const report = await scanner.scanSubnet(cidr, { port });
  if (values.write) {
    writeFileSync(values.write, toYaml(scanner.scanToAgentConfig(report, values.site as string)));
    console.error(`wrote ${values.write}`);
  }
  console.log(toYaml(report));
}

async function main(argv: string[]): Promise<void> {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      config: { type: 'string', short: 'c' },
      json: { type: 'boolean', default: false },
      'nvidia-smi': { type: 'boolean', default: false },
      path: { type: 'string' },
      format: { type: 'string' },
      dcgm: { type: 'string' },
      port: { type: 'string' },
      site: { type: 'string' },
      write: { type: 'string' },
      help: { type: 'boolean', short: 'h', default: false },
      version: { type: 'boolean', default: false },
    },
  });
  if (values.help) return void console.log(USAGE);
  if (values.version) return void console.log(AGENT_VERSION);
  const [command = 'run', ...rest] = positionals;
  switch (command) {
    case 'run':
      if (rest.length > 0) throw new UsageError(`run takes no arguments, got ${rest.join(' ')}`);
      return run(values.config ?? process.env.RIGLINE_AGENT_CONFIG ?? '/etc/rigline-agent/agent.yaml');
    case 'probe':
      if (values['nvidia-smi']) return probeGpus(values);
      if (rest.length !== 1) throw new UsageError('probe needs HOST[:PORT] or --nvidia-smi');
      return probeMiner(rest[0] as string, values.json);
    case 'scan':
      if (rest.length !== 1) throw new UsageError('scan needs one CIDR, e.g. 10.0.0.0/24');
      return scan(rest[0] as string, values);
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  if (err instanceof AgentConfigError) fail(err.problems.join('\n'), 1);
  if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) fail(`${err.message}\n\n${USAGE}`, 2);
  if (err instanceof NotInThisBuild) fail(`rigline-agent: ${err.message}`, 1);
  fail(`rigline-agent: ${err.message}`, 1);
});
