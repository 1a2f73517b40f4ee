#!/usr/bin/env node
// `npm run build:agent`: packs the built agent (dist/agent/rigline-agent.cjs, from config/build.mjs) for a rig host
// that has Node.js but not the repository:
//
//   dist/agent/rigline-agent-<version>.tar.gz   rigline-agent-<version>/{rigline-agent.cjs, rigline-agent.service,
//                                               agent.example.yaml, INSTALL.txt}
//   dist/agent/rigline-agent-<version>-linux-<arch>   a Node single-executable application (SEA) of the same file,
//                                               for hosts without Node.js (`--no-sea` skips it)
//
// The SEA follows Node 20's procedure (nodejs.org/api/single-executable-applications.html): a preparation blob
// from `node --experimental-sea-config`, injected into a copy of this node binary with postject.
/* global process, console */
import { spawnSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { arch } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const out = join(root, 'dist', 'agent');
const bundle = join(out, 'rigline-agent.cjs');
const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const name = `rigline-agent-${version}`;

function run(command, args) {
  const result = spawnSync(command, args, { cwd: root, encoding: 'utf8' });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed:\n${result.stdout}${result.stderr}`);
  return result;
}

const INSTALL = `rigline-agent ${version}: reads ASIC miners and NVIDIA GPUs and publishes telemetry over MQTT.
Needs Node.js 20 or newer (or use the single executable, rigline-agent-${version}-linux-<arch>, which needs nothing).

  sudo useradd --system --home /var/lib/rigline-agent --shell /usr/sbin/nologin rigline-agent
  sudo install -D -m 0644 -t /opt/rigline-agent rigline-agent.cjs INSTALL.txt
  sudo install -D -m 0640 -o root -g rigline-agent agent.example.yaml /etc/rigline-agent/agent.yaml
  sudo cp rigline-agent.service /etc/systemd/system/ && sudo systemctl daemon-reload
  sudo systemctl enable --now rigline-agent && journalctl -u rigline-agent -f

Edit /etc/rigline-agent/agent.yaml first (site, agent_id, mqtt, sources); put broker secrets in
/etc/rigline-agent/env (MQTT_URL, MQTT_USERNAME, MQTT_PASSWORD). \`node rigline-agent.cjs --help\` lists the
commands (run, probe, scan); \`node rigline-agent.cjs --version\` prints ${version}.
`;

if (!existsSync(bundle)) throw new Error(`${bundle} is missing: run node config/build.mjs first`);
const staging = join(out, name);
rmSync(staging, { recursive: true, force: true });
mkdirSync(staging, { recursive: true });
copyFileSync(bundle, join(staging, 'rigline-agent.cjs'));
copyFileSync(join(root, 'config', 'rigline-agent.service'), join(staging, 'rigline-agent.service'));
copyFileSync(join(root, 'config', 'agent.example.yaml'), join(staging, 'agent.example.yaml'));
writeFileSync(join(staging, 'INSTALL.txt'), INSTALL);
const tarball = join(out, `${name}.tar.gz`);
run('tar', ['-czf', tarball, '--owner=0', '--group=0', '-C', out, name]);
rmSync(staging, { recursive: true, force: true });
console.log(`agent: ${tarball}`);

if (!process.argv.includes('--no-sea')) {
  const blob = join(out, 'sea-prep.blob');
  const seaConfig = join(out, 'sea-config.json');
  writeFileSync(seaConfig, JSON.stringify({ main: bundle, output: blob, disableExperimentalSEAWarning: true }));
  run(process.execPath, ['--experimental-sea-config', seaConfig]);
  const executable = join(out, `${name}-linux-${arch()}`);
  copyFileSync(process.execPath, executable);
  chmodSync(executable, 0o755);
  // The fuse is the one Node's SEA documentation names; postject flips it so node runs the injected blob.
  run(process.execPath, [
    join(root, 'node_modules', 'postject', 'dist', 'cli.js'),
    executable,
    'NODE_SEA_BLOB',
    blob,
    '--sentinel-fuse',
    'NODE_SEA_FUSE_fce680ab2cc467b6e072b8b5df1996b2',
  ]);
  rmSync(blob);
  rmSync(seaConfig);
  console.log(`agent: ${executable} (single executable)`);
}
