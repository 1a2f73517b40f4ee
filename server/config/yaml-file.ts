import { existsSync, readFileSync } from 'node:fs';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';

/**
 * Reading a YAML config file, shared by the server (config/rigline.yaml) and the agent (agent.yaml): the same
 * `(file): …` / `(root): …` problem lines for a missing file, invalid YAML and a top level that is not a mapping.
 * An empty file is an empty mapping, so the schema then names each missing key.
 */
export function readYamlMapping(file: string): { value: Record<string, unknown> } | { problem: string } {
  if (!existsSync(file)) return { problem: `(file): ${file} does not exist` };
  let parsed: unknown;
  try {
    parsed = parseYaml(readFileSync(file, 'utf8'));
  } catch (err) {
    return { problem: `(file): ${file} is not valid YAML: ${(err as Error).message.split('\n')[0]}` };
  }
  if (parsed === null || parsed === undefined) return { value: {} };
  if (typeof parsed !== 'object' || Array.isArray(parsed)) return { problem: '(root): expected a mapping' };
  return { value: parsed as Record<string, unknown> };
}

/** pino log levels, for the `log.level` key of both config files. */
export const LogConfig = z
  .object({ level: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info') })
  .strict()
  .prefault({});
