import { describe, expect, it } from 'vitest';
import { FairQueue, QueueFullError } from '../../../server/planner/fair-queue.js';

/** A job the test finishes by hand: no timers, the test says when each plan is done. */
class Jobs {
  readonly started: string[] = [];
  readonly slots = new Map<string, number>();
  private readonly finishers = new Map<string, (value: string) => void>();

  job(name: string) {
    return (slot: number) =>
      new Promise<string>((resolve) => {
        this.started.push(name);
        this.slots.set(name, slot);
        this.finishers.set(name, resolve);
      });
  }

  finish(name: string): void {
    const finish = this.finishers.get(name);
    if (!finish) throw new Error(`${name} has not started`);
    finish(name);
  }
}

describe('FairQueue', () => {
  it("runs user B's small plan after at most one of user A's 16 queued large plans per slot", async () => {
    const queue = new FairQueue(2, 16);
    const jobs = new Jobs();
    const a = Array.from({ length: 16 }, (_, i) => queue.submit('user:a', jobs.job(`a${i}`)));
    const b = queue.submit('user:b', jobs.job('b0'));
    expect(jobs.started).toEqual(['a0', 'a1']); // both slots taken by A before B asked
    expect(queue.queued).toBe(15);

    jobs.finish('a0');
    await expect(a[0]).resolves.toBe('a0');
    expect(jobs.started).toEqual(['a0', 'a1', 'b0']); // B's turn comes before A's third plan
    expect(jobs.slots.get('b0')).toBe(jobs.slots.get('a0')); // on the slot a0 freed

    jobs.finish('b0');
    await expect(b).resolves.toBe('b0');
    expect(jobs.started).toHaveLength(4); // 13 of A's plans still to run when B's was done
    expect(queue.pending('user:a')).toBe(15);
    expect(queue.pending('user:b')).toBe(0);

    for (let i = 1; i < 16; i++) {
      jobs.finish(`a${i}`);
      await expect(a[i]).resolves.toBe(`a${i}`);
    }
    expect(jobs.started).toEqual(['a0', 'a1', 'b0', ...Array.from({ length: 14 }, (_, i) => `a${i + 2}`)]);
    expect(queue.pending('user:a')).toBe(0);
  });

  it('takes turns across three requesters, one job each per turn', async () => {
    const queue = new FairQueue(1, 10);
    const jobs = new Jobs();
    const runs = new Map<string, Promise<string>>();
    for (const [key, name] of [['a', 'a0'], ['a', 'a1'], ['a', 'a2'], ['b', 'b0'], ['b', 'b1'], ['c', 'c0']] as const) {
      runs.set(name, queue.submit(key, jobs.job(name)));
    }
    for (const name of ['a0', 'b0', 'c0', 'a1', 'b1', 'a2']) {
      expect(jobs.started.at(-1)).toBe(name);
      jobs.finish(name);
      await runs.get(name);
    }
    expect(jobs.started).toEqual(['a0', 'b0', 'c0', 'a1', 'b1', 'a2']);
  });

  it("refuses a requester's plan over its limit (queued or running), not another requester's, and frees a place when one ends", async () => {
    const queue = new FairQueue(1, 4);
    const jobs = new Jobs();
    const runs = new Map<string, Promise<string>>();
    for (const name of ['a0', 'a1', 'a2', 'a3']) runs.set(name, queue.submit('user:a', jobs.job(name)));
    const refused = await queue.submit('user:a', jobs.job('a4')).catch((err: unknown) => err);
    expect(refused).toBeInstanceOf(QueueFullError);
    expect((refused as QueueFullError).pending).toBe(4);

    runs.set('b0', queue.submit('user:b', jobs.job('b0'))); // another requester is not refused
    jobs.finish('a0');
    await runs.get('a0');
    expect(queue.pending('user:a')).toBe(3);
    runs.set('a5', queue.submit('user:a', jobs.job('a5'))); // a place came free
    expect(queue.pending('user:a')).toBe(4);
    for (const name of ['b0', 'a1', 'a2', 'a3', 'a5']) {
      expect(jobs.started.at(-1)).toBe(name);
      jobs.finish(name);
      await runs.get(name);
    }
    expect(jobs.started).toEqual(['a0', 'b0', 'a1', 'a2', 'a3', 'a5']);
    expect(queue.pending('user:a')).toBe(0);
  });

  it('frees the slot of a job that fails, and passes its error to the caller', async () => {
    const queue = new FairQueue(1, 2);
    const jobs = new Jobs();
    const failing = queue.submit('a', () => Promise.reject(new Error('worker exited')));
    const next = queue.submit('a', jobs.job('a1'));
    await expect(failing).rejects.toThrow('worker exited');
    expect(jobs.started).toEqual(['a1']);
    jobs.finish('a1');
    await expect(next).resolves.toBe('a1');
    expect(queue.pending('a')).toBe(0);
  });
});
