import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

/**
 * Writes an executable stand-in for nvidia-smi that prints a recorded output whatever its arguments, the way the
 * real binary prints `-q -x` or `--query-gpu` output. `delayS` makes it slow (timeouts); `exitCode` makes it fail
 * like a driver that cannot be reached.
 */
export function fakeNvidiaSmi(recording: string, opts: { delayS?: number; exitCode?: number } = {}): string {
  const dir = mkdtempSync(join(tmpdir(), 'rigline-fake-nvidia-smi-'));
  const script = join(dir, 'nvidia-smi');
  const lines = ['#!/bin/sh'];
  if (opts.delayS) lines.push(`sleep ${opts.delayS}`);
  if (opts.exitCode) {
    lines.push("echo \"NVIDIA-SMI has failed because it couldn't communicate with the NVIDIA driver.\"", `exit ${opts.exitCode}`);
  } else {
    lines.push(`exec cat '${resolve(recording)}'`);
  }
  writeFileSync(script, `${lines.join('\n')}\n`);
  chmodSync(script, 0o755);
  return script;
}
