import { readdirSync, readFileSync } from 'node:fs';

/** CPU and memory of a process from /proc (Linux): CPU seconds used and current / peak resident set in MiB. */
export interface ProcSample {
  cpuS: number;
  rssMiB: number;
  peakRssMiB: number;
}

const TICKS_PER_S = 100; // USER_HZ on Linux

export function procSample(pid: number): ProcSample | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const cpuS = (Number(fields[11]) + Number(fields[12])) / TICKS_PER_S;
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kib = (key: string): number => Number(new RegExp(`${key}:\\s+(\\d+)`).exec(status)?.[1] ?? 0);
    return { cpuS, rssMiB: kib('VmRSS') / 1024, peakRssMiB: kib('VmHWM') / 1024 };
  } catch {
    return null;
  }
}

/** Child processes of `parent` by command name (the services the test helpers started). */
export function childrenByName(parent: number): Map<string, number> {
  const found = new Map<string, number>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      if (ppid === parent) found.set(name, Number(entry));
    } catch {
      /* the process ended while we looked */
    }
  }
  return found;
}

/** Tracks CPU use (as % of one core) of some processes over a window. */
export class CpuWindow {
  private readonly start = new Map<number, number>();
  private readonly t0 = process.hrtime.bigint();

  constructor(private readonly pids: number[]) {
    for (const pid of pids) this.start.set(pid, procSample(pid)?.cpuS ?? 0);
  }

  /** CPU seconds used since the window opened. */
  seconds(pid: number): number {
    return (procSample(pid)?.cpuS ?? 0) - (this.start.get(pid) ?? 0);
  }

  percent(pid: number): number {
    const wallS = Number(process.hrtime.bigint() - this.t0) / 1e9;
    const used = (procSample(pid)?.cpuS ?? 0) - (this.start.get(pid) ?? 0);
    return wallS > 0 ? (100 * used) / wallS : 0;
  }
}

/**
 * CPU seconds (user, system) of each thread of a process, summed by thread name (/proc/<pid>/task/<tid>/stat; Node
 * names its main thread after the executable and its helpers V8Worker, libuv-worker, …): where a process's CPU goes
 * besides the JavaScript a profiler sees.
 */
export function threadCpu(pid: number): Map<string, { user: number; system: number }> {
  const byName = new Map<string, { user: number; system: number }>();
  let tids: string[];
  try {
    tids = readdirSync(`/proc/${pid}/task`);
  } catch {
    return byName;
  }
  for (const tid of tids) {
    try {
      const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
      const name = tid === String(pid) ? 'main' : stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      const sum = byName.get(name) ?? { user: 0, system: 0 };
      sum.user += Number(fields[11]) / TICKS_PER_S;
      sum.system += Number(fields[12]) / TICKS_PER_S;
      byName.set(name, sum);
    } catch {
      /* the thread ended while we looked */
    }
  }
  return byName;
}

/** The CPU each thread name used between two threadCpu() readings, largest first, as "name user+system s" text. */
export function threadCpuDelta(before: Map<string, { user: number; system: number }>, after: Map<string, { user: number; system: number }>): { name: string; user: number; system: number }[] {
  return [...after]
    .map(([name, t]) => ({ name, user: t.user - (before.get(name)?.user ?? 0), system: t.system - (before.get(name)?.system ?? 0) }))
    .filter((t) => t.user + t.system > 0)
    .sort((a, b) => b.user + b.system - (a.user + a.system));
}
