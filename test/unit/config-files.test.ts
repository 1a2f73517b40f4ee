import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AgentConfigError, loadAgentConfig } from '../../agents/runtime/config.js';
import { ConfigError, loadConfig } from '../../server/config/load.js';
import { readYamlMapping } from '../../server/config/yaml-file.js';

const problemsOf = (load: () => unknown): string[] => {
  try {
    load();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof AgentConfigError) return err.problems;
    throw err;
  }
  return [];
};

describe('server and agent config files are read the same way', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rigline-config-files-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, text: string): string => {
    const path = join(dir, name);
    writeFileSync(path, text);
    return path;
  };

  it('gives the same problem line for a missing file, invalid YAML and a top level that is not a mapping', () => {
    for (const path of [join(dir, 'missing.yaml'), file('broken.yaml', 'site: ['), file('list.yaml', '- a\n- b\n')]) {
      const server = problemsOf(() => loadConfig(path, {}));
      expect(server).toHaveLength(1);
      expect(problemsOf(() => loadAgentConfig(path, {}))).toEqual(server);
    }
  });

  it('reads an empty file as an empty mapping, so the agent names its missing keys', () => {
    const empty = file('empty.yaml', '');
    expect(readYamlMapping(empty)).toEqual({ value: {} });
    const agent = problemsOf(() => loadAgentConfig(empty, {}));
    expect(agent.some((p) => p.startsWith('site:'))).toBe(true);
  });

  it('validates log.level identically', () => {
    const server = problemsOf(() => loadConfig(file('server-log.yaml', 'log: { level: loud }\n'), {}));
    const agent = problemsOf(() => loadAgentConfig(file('agent-log.yaml', 'site: a\nagent_id: b\nsources: []\nlog: { level: loud }\n'), {}));
    expect(server.filter((p) => p.startsWith('log.level'))).toEqual(agent.filter((p) => p.startsWith('log.level')));
    expect(server.some((p) => p.startsWith('log.level'))).toBe(true);
  });
});
