import type { Sample } from '../../contract/index.js';
import { LineWriter } from './line-writer.js';
import { encodeInto, type RigPointObserver } from './schema.js';
import type { Entry } from './write-buffer.js';

/** About what one ASIC sample's points take (rig, 3 boards, 3 pools), to size a piece's room up front. */
const BYTES_PER_SAMPLE = 1400;

/**
 * Live messages taken in one turn of the event loop, encoded one after another into ONE write-buffer entry.
 *
 * Why: an agent that polls one rig publishes one message per sample, and a socket read hands the server dozens of
 * them at once. As one entry each, every message held its own piece of the line-protocol slab, entry, release and
 * acknowledgement callbacks from arrival until InfluxDB answered (~0.5 s): long enough to be copied by two young-
 * generation collections and promoted, then found dead by a full one: ~650–820 bytes promoted per message, and V8's
 * collector threads spent 7–10 µs a message on it (`npm run bench:ingest`, one rig per message, with
 * `BENCH_NODE_ARGS=--trace-gc`; 4–5 µs after). Gathered, the entry, its piece and the callbacks' list exist once per
 * turn.
 *
 * Nothing is acknowledged earlier for it: the entry's `done` calls every message's own `onDurable`, in arrival order,
 * once the entry is written (or refused or dropped, as for any entry). A piece closes when the event loop turns
 * (setImmediate: after the I/O callbacks that delivered the messages) or once it holds `maxPoints` points, so a site
 * controller's ~5,000-point message is still an entry of its own, and a batch to InfluxDB never grows past what one
 * entry would make it. A piece also closes before a message that would not fit in the write buffer with it, so a full
 * buffer still drops (and counts) whole messages, exactly as many as before.
 */
export class EntryGatherer {
  private readonly writer = new LineWriter();
  private samples = 0;
  private oldestTs = Infinity;
  private newestTs = -Infinity;
  private durables: (() => void)[] = [];
  private scheduled: NodeJS.Immediate | null = null;

  constructor(
    private readonly add: (entry: Entry) => void,
    /** Whether the write buffer has room for this many more samples now. */
    private readonly hasRoomFor: (samples: number) => boolean,
    private readonly maxPoints: number,
  ) {}

  /** Encodes live samples into the open piece; `onDurable` is called once the piece is written (see above). */
  append(samples: readonly Sample[], observe: RigPointObserver | undefined, onDurable: (() => void) | undefined): void {
    // A full buffer drops what does not fit message by message, as before: a message that would not fit with the open
    // piece starts a piece of its own (dropped alone if it does not fit by itself either).
    if (this.samples > 0 && !this.hasRoomFor(this.samples + samples.length)) this.flush();
    if (this.writer.length === 0) this.writer.reserve(samples.length * BYTES_PER_SAMPLE);
    const { oldestTs, newestTs } = encodeInto(this.writer, samples, observe);
    this.samples += samples.length;
    if (oldestTs < this.oldestTs) this.oldestTs = oldestTs;
    if (newestTs > this.newestTs) this.newestTs = newestTs;
    if (onDurable) this.durables.push(onDurable);
    // A message that does not fit on its own goes at once: add() takes it into an empty buffer or drops it, so what
    // stats() shows as held never includes samples about to be dropped.
    if (this.writer.points >= this.maxPoints || !this.hasRoomFor(this.samples)) this.flush();
    else this.scheduled ??= setImmediate(() => this.flush());
  }

  /** Hands the open piece to the write buffer now (also before a drain, a close or a barrier is read). */
  flush(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = null;
    if (this.samples === 0) return;
    const { body, points, release } = this.writer.take();
    const durables = this.durables;
    const entry: Entry = {
      lines: body,
      points,
      samples: this.samples,
      ts: this.oldestTs,
      newestTs: this.newestTs,
      live: true,
      release,
      done: durables.length === 0 ? undefined : durables.length === 1 ? durables[0] : () => callAll(durables),
    };
    this.durables = [];
    this.samples = 0;
    this.oldestTs = Infinity;
    this.newestTs = -Infinity;
    this.add(entry);
  }

  /** Samples encoded but not yet handed to the write buffer. */
  get pending(): number {
    return this.samples;
  }
}

function callAll(callbacks: readonly (() => void)[]): void {
  for (const callback of callbacks) callback();
}
