#!/usr/bin/env node
// rigline-server: `rigline-server [--config file]` runs the server; `rigline-server agents|users|tokens|rigs ...`
// manages credentials. Plain JS so it runs with `node`; tsx's ESM hook loads the TypeScript sources.
import process from 'node:process';
import { register } from 'tsx/esm/api';

register();
const [command] = process.argv.slice(2);
if (command === 'agents' || command === 'users' || command === 'tokens' || command === 'rigs' || command === 'help' || command === '--help') {
  const { runCli } = await import('../auth/cli.ts');
  process.exitCode = await runCli(process.argv.slice(2), process.env);
} else {
  await import('../main.ts');
}
