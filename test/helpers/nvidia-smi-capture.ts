import { readFileSync } from 'node:fs';

/**
 * Reads one section of an nvidia_gpu_exporter capture file (test/fixtures/gpu/nvidia-smi-captures): each section
 * starts with a '#' banner naming `phase :: title` and the command, then the command's verbatim output.
 */
export function captureSection(file: string, phase: 'idle' | 'load' | 'capabilities', title: string): string {
  const lines = readFileSync(file, 'utf8').split(/\r?\n/);
  const header = `# ${phase} :: ${title}`;
  const start = lines.findIndex((line) => line.startsWith(header));
  if (start < 0) throw new Error(`${file}: no section '${header}'`);
  // Banner: header line, '# $ command' line, closing '####' line; output runs to the next banner.
  let i = start + 1;
  while (i < lines.length && lines[i]?.startsWith('#')) i++;
  const out: string[] = [];
  for (; i < lines.length; i++) {
    const line = lines[i] as string;
    if (line.startsWith('################')) break;
    out.push(line);
  }
  return out.join('\n').trim();
}
