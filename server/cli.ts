import process from 'node:process';

/**
 * `rigline-server [--config file]` runs the server; `rigline-server agents|users|tokens|rigs ...` manages credentials.
 * The entry the build compiles to dist/rigline-server.js (config/build.mjs); each branch loads only what it needs.
 */
const CREDENTIAL_COMMANDS = new Set(['agents', 'users', 'tokens', 'rigs', 'help', '--help']);

const [command] = process.argv.slice(2);
if (command !== undefined && CREDENTIAL_COMMANDS.has(command)) {
  const { runCli } = await import('./auth/cli.js');
  process.exitCode = await runCli(process.argv.slice(2), process.env);
} else {
  await import('./main.js');
}
