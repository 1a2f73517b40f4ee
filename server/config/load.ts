import { parse as parseYaml } from 'yaml';
import type { z } from 'zod';
import { ConfigSchema, crossFieldProblems, type Config } from './schema.js';
import { readYamlMapping } from './yaml-file.js';

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`invalid configuration:\n${problems.join('\n')}`);
  }
}

/** Well-known environment variables (the README's contract) and the config path each sets. */
const NAMED_ENV: Record<string, string[]> = {
  PORT: ['server', 'port'],
  HOST: ['server', 'host'],
  MQTT_PORT: ['mqtt', 'embedded', 'port'],
  MQTT_URL: ['mqtt', 'url'],
  SIM_SITES: ['sim', 'sites'],
  SIM_RIGS_PER_SITE: ['sim', 'rigs_per_site'],
  SIM_SEED: ['sim', 'seed'],
  LOG_LEVEL: ['log', 'level'],
};

/** Environment values are YAML scalars, so numbers and booleans keep their type ("3000" → 3000). */
function envValue(raw: string): unknown {
  try {
    const parsed: unknown = parseYaml(raw);
    return parsed === null ? raw : parsed;
  } catch {
    return raw;
  }
}

function setPath(target: Record<string, unknown>, path: string[], value: unknown): void {
  let node = target;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (typeof next !== 'object' || next === null || Array.isArray(next)) node[key] = {};
    node = node[key] as Record<string, unknown>;
  }
  node[path[path.length - 1] as string] = value;
}

/**
 * Applies overrides from the environment: the named variables above, and RIGLINE__SECTION__KEY for any key
 * (e.g. RIGLINE__INGEST__MISSED_INTERVALS=5).
 */
export function applyEnv(raw: Record<string, unknown>, env: NodeJS.ProcessEnv): Record<string, unknown> {
  for (const [name, path] of Object.entries(NAMED_ENV)) {
    const value = env[name];
    if (value !== undefined && value !== '') setPath(raw, path, envValue(value));
  }
  for (const [name, value] of Object.entries(env)) {
    if (!name.startsWith('RIGLINE__') || value === undefined) continue;
    setPath(raw, name.slice('RIGLINE__'.length).toLowerCase().split('__'), envValue(value));
  }
  if (env.MQTT_URL) setPath(raw, ['mqtt', 'mode'], 'external');
  return raw;
}

export function formatIssues(error: z.ZodError): string[] {
  return error.issues.map((issue) => `${issue.path.length ? issue.path.join('.') : '(root)'}: ${issue.message}`);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const child of Object.values(value)) deepFreeze(child);
    Object.freeze(value);
  }
  return value;
}

/** Validates a raw config object; throws ConfigError listing every problem. The result is frozen. */
export function parseConfig(raw: unknown): Config {
  const result = ConfigSchema.safeParse(raw);
  const problems = [...(result.success ? [] : formatIssues(result.error)), ...crossFieldProblems(raw)];
  if (problems.length > 0 || !result.success) throw new ConfigError(problems);
  return deepFreeze(result.data);
}

/** Reads YAML from `file` (when given and present), applies the environment, validates once. */
export function loadConfig(file: string | undefined, env: NodeJS.ProcessEnv = process.env): Config {
  let raw: Record<string, unknown> = {};
  if (file) {
    const read = readYamlMapping(file);
    if ('problem' in read) throw new ConfigError([read.problem]);
    raw = read.value;
  }
  return parseConfig(applyEnv(raw, env));
}
