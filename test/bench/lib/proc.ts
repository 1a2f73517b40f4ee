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
