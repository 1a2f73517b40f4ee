import { MemoryStore } from '../../server/store/memory.js';
import type { Sample } from '../../server/contract/index.js';

/**
 * Records every sample any MemoryStore in this process writes, per store, from its first write: a server that
 * replays a queued session does so while it starts, before a test could wrap its store. Keys are `rig@ts`.
 */
export function recordStoredSamples(): { byStore: Map<object, string[]>; all(): string[]; restore(): void } {
  const byStore = new Map<object, string[]>();
  const original = MemoryStore.prototype.writeSamples;
  MemoryStore.prototype.writeSamples = function (this: MemoryStore, samples: readonly Sample[]) {
    const keys = byStore.get(this) ?? [];
    byStore.set(this, keys);
    for (const s of samples) keys.push(`${s.rig}@${s.ts}`);
    return original.call(this, samples);
  };
  return {
    byStore,
    all: () => [...byStore.values()].flat(),
    restore: () => {
      MemoryStore.prototype.writeSamples = original;
    },
  };
}
