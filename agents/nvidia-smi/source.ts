import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { PollResult, PollSource } from '../source.js';
import { mergeDcgm, scrapeDcgm } from '../dcgm/dcgm.js';
import { OPTIONAL_FIELDS, QUERY_FIELDS, parseQueryGpuCsv, queryArgs, unknownQueryField } from './csv.js';
import { parseListGpus, withMigInstances } from './list.js';
import type { GpuReport } from './reading.js';
import { toGpuSample } from './sample.js';
import { parseNvidiaSmiText } from './text.js';
import { parseNvidiaSmiXml } from './xml.js';

export type NvidiaSmiFormat = 'xml' | 'csv' | 'text';

export interface NvidiaSmiSourceOptions {
  site: string;
  rig: string;
  /** The nvidia-smi binary; tests point it at a script that prints a recording. */
  path?: string;
  /**
   * 'xml' (`-q -x`, every field and MIG instances with their memory), 'csv' (`--query-gpu`, lighter: MIG mode per
   * GPU, and with MIG on the instances `-L` lists, by profile and UUID, without per-instance figures) or 'text' (`-q`).
   */
  format?: NvidiaSmiFormat;
  timeoutMs?: number;
  intervalS: number;
  /** DCGM exporter /metrics URL: adds the last Xid, and utilization under MIG. */
  dcgmUrl?: string | null;
  /** File with the server's model name; null to leave host_model unknown. */
  hostModelFile?: string | null;
}

/**
 * Runs the binary with a hard timeout; resolves its stdout or rejects with a one-line reason. The promise settles
 * at the timeout even if the process cannot be reaped yet (nvidia-smi stuck in the driver ignores even SIGKILL
 * until its system call returns), so a poll never hangs.
 */
export function runNvidiaSmi(path: string, args: string[], timeoutMs: number): Promise<string> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const child = execFile(path, args, { maxBuffer: 32 * 1024 * 1024, windowsHide: true }, (err, stdout, stderr) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (!err) return resolve(stdout);
      const e = err as NodeJS.ErrnoException & { code?: number | string };
      if (e.code === 'ENOENT') return reject(new Error(`${path} not found (is the NVIDIA driver installed?)`));
      // nvidia-smi prints its reason ("NVIDIA-SMI has failed because it couldn't communicate…") on stdout.
      const reason = `${stderr}\n${stdout}`.trim().split('\n')[0] ?? '';
      reject(new Error(`${path} exited with ${e.code}${reason ? `: ${reason.slice(0, 200)}` : ''}`));
    });
    const timer = setTimeout(() => {
      if (settled) return;
      settled = true;
      child.kill('SIGKILL');
      reject(new Error(`${path} timed out after ${timeoutMs} ms`));
    }, timeoutMs);
  });
}

/**
 * Runs nvidia-smi once and parses its answer. In CSV mode `fields` is the query list; a driver too old for one of
 * the optional fields ("Field … is not a valid field to query") is asked again without it, and `fields` (shared
 * across polls of a source) keeps the shorter list.
 */
export async function readNvidiaSmi(path: string, format: NvidiaSmiFormat, timeoutMs: number, fields: string[] = [...QUERY_FIELDS]): Promise<GpuReport> {
  if (format === 'xml') return parseNvidiaSmiXml(await runNvidiaSmi(path, ['-q', '-x'], timeoutMs));
  if (format === 'text') return parseNvidiaSmiText(await runNvidiaSmi(path, ['-q'], timeoutMs));
  for (;;) {
    try {
      const report = parseQueryGpuCsv(await runNvidiaSmi(path, queryArgs(fields), timeoutMs), fields);
      if (!report.entries.some((e) => e.migEnabled)) return report;
      // MIG instances are not rows of --query-gpu: `nvidia-smi -L` names them. Without it the GPUs still report.
      const listed = await runNvidiaSmi(path, ['-L'], timeoutMs).then(parseListGpus, () => null);
      return listed ? withMigInstances(report, listed) : report;
    } catch (err) {
      const field = unknownQueryField((err as Error).message);
      if (!field || !OPTIONAL_FIELDS.includes(field) || !fields.includes(field)) throw err;
      fields.splice(fields.indexOf(field), 1);
    }
  }
}

async function readHostModel(file: string | null): Promise<string | null> {
  if (!file) return null;
  const text = await readFile(file, 'utf8').catch(() => '');
  const model = text.trim().slice(0, 200);
  return model === '' || /to be filled/i.test(model) ? null : model;
}

/** The local GPUs as one rig: `nvidia-smi` every poll, merged with DCGM when configured. */
export function createNvidiaSmiSource(options: NvidiaSmiSourceOptions): PollSource {
  const path = options.path ?? 'nvidia-smi';
  const format = options.format ?? 'xml';
  const timeoutMs = options.timeoutMs ?? 5000;
  let hostModel: Promise<string | null> | null = null;
  const fields = [...QUERY_FIELDS];
  return {
    rig: options.rig,
    description: `nvidia-smi (${format}) ${path}${options.dcgmUrl ? ` + DCGM ${options.dcgmUrl}` : ''}`,
    async poll(): Promise<PollResult> {
      const ts = Date.now();
      hostModel ??= readHostModel(options.hostModelFile === undefined ? '/sys/class/dmi/id/product_name' : options.hostModelFile);
      const dcgm = options.dcgmUrl ? scrapeDcgm(options.dcgmUrl, timeoutMs).then((r) => ({ ok: true as const, r }), (err: Error) => ({ ok: false as const, err })) : null;
      let report: GpuReport;
      try {
        report = await readNvidiaSmi(path, format, timeoutMs, fields);
      } catch (err) {
        await dcgm;
        return { ok: false, error: (err as Error).message };
      }
      const errors: string[] = [];
      const scraped = await dcgm;
      if (scraped?.ok) report = { ...report, entries: mergeDcgm(report.entries, scraped.r) };
      else if (scraped) errors.push(`DCGM: ${scraped.err.message}`);
      const sample = toGpuSample(report, { site: options.site, rig: options.rig, ts, intervalS: options.intervalS, hostModel: await hostModel, errors });
      return { ok: true, samples: [sample] };
    },
  };
}
