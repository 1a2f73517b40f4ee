import { writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { parseArgs } from 'node:util';
import { stringify as toYaml } from 'yaml';
import { toId, type GpuSample } from '../server/contract/index.js';
import { parseHostPort, probeCgminer } from './cgminer/index.js';
import { parseCidr } from './scan/cidr.js';
import { DEFAULT_MQTT_URL, scannedConfig } from './scan/agent-config.js';
import { scanSubnet, scanToAgentConfig, type ScanReport } from './scan/index.js';
import { redact } from './runtime/broker-log.js';
import { readNvidiaSmi } from './nvidia-smi/source.js';
import { toGpuSample } from './nvidia-smi/sample.js';
import { mergeDcgm, scrapeDcgm } from './dcgm/dcgm.js';
import { createInferenceSource } from './inference/source.js';
import type { Agent } from './runtime/agent.js';
import { AgentConfigError, loadAgentConfig, parseAgentConfig } from './runtime/config.js';
import { formatAsicSample, formatGpuSample } from './runtime/probe-print.js';
import { startAgent } from './runtime/start.js';
import { AGENT_VERSION } from './runtime/transport.js';
import { EXEC_USAGE, execAction } from './exec.js';

const USAGE = `rigline-agent ${AGENT_VERSION}: reads ASIC miners and NVIDIA GPUs and publishes telemetry over MQTT.

usage:
  rigline-agent [run] [--config FILE]              poll the configured sources and publish (default command)
  rigline-agent probe HOST[:PORT] [--json]         read one miner's cgminer API once and print it
  rigline-agent probe --nvidia-smi [--path BIN] [--format xml|csv|text] [--dcgm URL] [--json]
                                                   read the local GPUs once and print them
  rigline-agent probe --inference URL [--server auto|vllm|sglang|tgi|triton|nim|llamacpp] [--json]
                                                   read an inference server's /metrics once and print what it reports
  rigline-agent scan CIDR [--port N] [--json] [--site ID --write FILE [--agent-id ID] [--mqtt-url URL]
                     [--mqtt-username NAME]]       find miners in a subnet; --write saves a complete agent config
                                                   for them (broker from --mqtt-url, else $MQTT_URL, else local)
${EXEC_USAGE}

  --config defaults to $RIGLINE_AGENT_CONFIG or /etc/rigline-agent/agent.yaml.
Exit codes: 0 ok; 1 invalid configuration or a failure at run time (no connection, no answer, nothing found);
2 bad usage (unknown command or option, bad HOST:PORT, port or CIDR).`;

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
  if (format !== 'xml' && format !== 'csv' && format !== 'text') throw new UsageError(`--format must be xml, csv or text, got ${format}`);
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

async function probeInference(url: string, server: string, json: boolean): Promise<void> {
  const servers = ['auto', 'vllm', 'sglang', 'tgi', 'triton', 'nim', 'llamacpp'] as const;
  if (!servers.includes(server as (typeof servers)[number])) throw new UsageError(`--server must be one of ${servers.join(', ')}, got ${server}`);
  const result = await createInferenceSource({ site: 'probe', rig: 'probe', url, server: server as (typeof servers)[number], timeoutMs: 10_000, intervalS: 10 }).poll();
  if (!result.ok) throw new Error(result.error);
  const sample = result.samples[0] as GpuSample;
  console.log(json ? JSON.stringify(sample, null, 2) : formatGpuSample(sample));
}

async function probeMiner(target: string, json: boolean): Promise<void> {
  let address: { host: string; port: number };
  try {
    address = parseHostPort(target);
  } catch (err) {
    throw new UsageError(`probe: ${(err as Error).message}`);
  }
  const { host, port } = address;
  const sample = await probeCgminer(host, port, { timeoutMs: 10_000 });
  console.log(json ? JSON.stringify(sample, null, 2) : formatAsicSample(sample));
}

function formatScan(report: ScanReport): string {
  const lines = [`${report.cidr} port ${report.port}: ${report.scanned} hosts in ${(report.durationMs / 1000).toFixed(1)} s, ${report.identified.length} miners`];
  for (const m of report.identified) {
    lines.push(`  ${`${m.host}:${m.port}`.padEnd(22)} ${m.family.padEnd(10)} ${(m.model ?? '-').padEnd(24)} ${m.hashrate_ths === null ? '-' : `${m.hashrate_ths} TH/s`}`);
  }
  for (const u of report.unknown) lines.push(`  ${`${u.host}:${u.port}`.padEnd(22)} not a miner API: ${u.reason}`);
  return lines.join('\n');
}

interface ScanValues {
  port?: string;
  site?: string;
  write?: string;
  'agent-id'?: string;
  'mqtt-url'?: string;
  'mqtt-username'?: string;
  json?: boolean;
}

async function scan(cidr: string, values: ScanValues): Promise<void> {
  const port = values.port === undefined ? undefined : Number(values.port);
  if (port !== undefined && !(Number.isInteger(port) && port > 0 && port < 65536)) throw new UsageError(`--port must be a TCP port, got ${values.port}`);
  try {
    parseCidr(cidr);
  } catch (err) {
    throw new UsageError(`scan: ${(err as Error).message}`);
  }
  if (values.write && !values.site) throw new UsageError('scan --write needs --site ID (the site the config is for)');
  const mqttUrl = values['mqtt-url'] ?? process.env.MQTT_URL ?? DEFAULT_MQTT_URL;
  if (values.write && !URL.canParse(mqttUrl)) throw new UsageError(`--mqtt-url must be a URL such as mqtt://broker:1883, got ${mqttUrl}`);
  const report = await scanSubnet(cidr, { port });
  console.log(values.json ? JSON.stringify(report, null, 2) : formatScan(report));
  if (values.write) {
    const suggested = scanToAgentConfig(report, values.site as string);
    if (suggested.sources.length === 0) throw new Error(`no miners found in ${cidr}: ${values.write} not written`);
    const config = scannedConfig(suggested, { agentId: values['agent-id'] ?? toId(hostname()), mqttUrl, mqttUsername: values['mqtt-username'] });
    // Validated before writing, so the file is a config the agent accepts as it is.
    parseAgentConfig(config);
    const header = [
      `# rigline-agent config written by \`rigline-agent scan ${cidr}\` on ${new Date().toISOString()}.`,
      '# The broker password is not written here: set MQTT_PASSWORD in the agent\'s environment (or mqtt.password).',
      '# See config/agent.example.yaml for every key.',
      '',
    ].join('\n');
    writeFileSync(values.write, header + toYaml(config));
    console.error(`wrote ${values.write}: ${suggested.sources.length} cgminer sources, broker ${redact(mqttUrl)}`);
  }
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
      inference: { type: 'string' },
      server: { type: 'string' },
      port: { type: 'string' },
      site: { type: 'string' },
      write: { type: 'string' },
      'agent-id': { type: 'string' },
      'mqtt-url': { type: 'string' },
      'mqtt-username': { type: 'string' },
      yes: { type: 'boolean', default: false },
      family: { type: 'string' },
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
      if (values.inference) return probeInference(values.inference, values.server ?? 'auto', values.json);
      if (rest.length !== 1) throw new UsageError('probe needs HOST[:PORT] or --nvidia-smi');
      return probeMiner(rest[0] as string, values.json);
    case 'scan':
      if (rest.length !== 1) throw new UsageError('scan needs one CIDR, e.g. 10.0.0.0/24');
      return scan(rest[0] as string, values);
    case 'exec': {
      const [target, action, ...args] = rest;
      if (!target || !action) throw new UsageError('exec needs HOST[:PORT] ACTION [ARGS]');
      const input = { target, action, args, yes: values.yes, family: values.family, json: values.json, password: process.env.RIGLINE_MINER_PASSWORD };
      const code = await execAction(input).catch((err: Error) => {
        throw new UsageError(`exec: ${err.message}`);
      });
      process.exitCode = code;
      return;
    }
    default:
      throw new UsageError(`unknown command '${command}'`);
  }
}

main(process.argv.slice(2)).catch((err: Error) => {
  if (err instanceof AgentConfigError) fail(err.problems.join('\n'), 1);
  if (err instanceof UsageError || (err as NodeJS.ErrnoException).code?.startsWith('ERR_PARSE_ARGS')) fail(`${err.message}\n\n${USAGE}`, 2);
  fail(`rigline-agent: ${err.message}`, 1);
});
