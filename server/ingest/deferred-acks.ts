import type { Duplex } from 'node:stream';
import type { MqttClient } from 'mqtt';

type Puback = { cmd: 'puback'; messageId: number; reasonCode?: number };

/** No message pending under a packet identifier. */
const NONE = -1;
/** A held message's state, as bits: stored (its callback ran), its PUBACK handed over, or replaced by a newer one. */
const DURABLE = 1;
const PUBACK = 2;
/** The same id arrived again before this one was acknowledged: the newer entry stands for it. */
const SUPERSEDED = 4;
const DUE = DURABLE | PUBACK;
/** MQTT packet identifiers are 16-bit (MQTT 3.1.1 §2.3.1). */
const IDS = 0x10000;

/**
 * Acknowledge after storage. mqtt.js sends a QoS 1 PUBACK as soon as the 'message' handlers return, and it handles
 * incoming packets strictly one at a time (its `customHandleAcks` / `handleMessage` hooks stall the whole stream
 * until they call back), so holding the acknowledgement there would take one message per store flush. Instead the
 * PUBACK packet mqtt.js emits is held here, the stream goes on, and the PUBACK is sent once the message's samples
 * are stored or durably queued — in arrival order, as MQTT 3.1.1 §4.6 [MQTT-4.6.0-2] asks. A `kill -9` therefore
 * loses nothing the broker handed over: unacknowledged messages are redelivered to the persistent session, and the
 * replay dedupe or identical points absorb the repeats. When the connection drops, held acknowledgements are
 * forgotten (the broker redelivers those messages on the next connection).
 */
export class DeferredAcks {
  /*
   * Held messages in flat typed arrays, not an object, a Map entry and the PUBACK packet per message: those lived until
   * InfluxDB answered (a few hundred ms), long enough to be promoted, and were a fifth of what the one-rig-per-message
   * benchmark promoted to the old generation (its heap sample), besides five Map operations a message.
   *
   * `ids` and `flags` hold the messages in arrival order, the oldest unsent at `head`; the message numbered `n` (its
   * arrival count) sits at index `n - base`. `pending` maps a packet identifier to the number of its held message.
   */
  private readonly pending = new Float64Array(IDS).fill(NONE);
  /** The reason code of each id's held PUBACK (0: Success; others only from MQTT 5 handlers). */
  private readonly reasons = new Uint8Array(IDS);
  private ids = new Uint16Array(1024);
  private flags = new Uint8Array(1024);
  private base = 0;
  private head = 0;
  private tail = 0;
  private count = 0;
  /** Bumped by reset(): a callback from before a reset changes nothing. */
  private generation = 0;

  /** `send` gets the acknowledgements that are due, oldest first, once per flush. */
  constructor(private readonly send: (packets: Puback[]) => void) {}

  /** Installs the hold on a client; returns the per-message tracker. */
  static attach(client: MqttClient): DeferredAcks {
    const internal = client as unknown as { _sendPacket: (packet: { cmd: string; messageId?: number }, cb?: (err?: Error) => void, ...rest: unknown[]) => void };
    const original = internal._sendPacket.bind(client);
    // Due acknowledgements are written as 4-byte PUBACKs (MQTT 3.1.1 §3.4; MQTT 5.0 §3.4.2.1 allows the same form for
    // Success without properties), at once, so they keep their place before anything mqtt.js writes next (a
    // DISCONNECT written first would leave them unsent, and the broker would redeliver their messages). Through
    // mqtt.js each was a packet object, a generator call and three stream writes, ~3 µs a message with one rig per
    // message (`npm run bench:ingest`). The stream is corked until the tick ends, as mqtt.js does, so the PUBACKs a
    // stored batch releases leave in one system call. Whole packets per write keep the stream's framing.
    let corked: Duplex | null = null;
    const uncork = (): void => {
      corked?.uncork();
      corked = null;
    };
    const acks = new DeferredAcks((packets) => {
      if (!client.connected) return; // the broker redelivers them on the next connection
      const raw = Buffer.allocUnsafe(4 * packets.length);
      let at = 0;
      for (const packet of packets) {
        if ((packet.reasonCode ?? 0) !== 0) {
          original(packet);
          continue;
        }
        raw[at] = 0x40; // PUBACK, flags 0
        raw[at + 1] = 2; // remaining length: the packet identifier
        raw.writeUInt16BE(packet.messageId, at + 2);
        at += 4;
      }
      if (at === 0) return;
      const stream = client.stream as unknown as Duplex;
      if (corked !== stream) {
        uncork();
        stream.cork();
        corked = stream;
        process.nextTick(uncork);
      }
      stream.write(at === raw.length ? raw : raw.subarray(0, at));
    });
    internal._sendPacket = (packet, cb, ...rest) => {
      if (packet.cmd === 'puback' && packet.messageId !== undefined && acks.hold(packet as Puback)) {
        cb?.(); // the stream goes on; the PUBACK itself waits for storage
        return;
      }
      original(packet, cb, ...rest);
    };
    client.on('close', () => acks.reset());
    return acks;
  }

  /** A QoS 1 message arrived: returns the callback that marks it durable. */
  expect(messageId: number): () => void {
    const previous = this.pending[messageId] as number;
    if (previous === NONE) this.count++;
    else (this.flags[previous - this.base] as number) |= SUPERSEDED;
    if (this.tail === this.ids.length) this.makeRoom();
    const number = this.base + this.tail;
    this.ids[this.tail] = messageId;
    this.flags[this.tail++] = 0;
    this.pending[messageId] = number;
    const generation = this.generation;
    return () => {
      if (generation !== this.generation || this.pending[messageId] !== number) return; // reset, or superseded
      (this.flags[number - this.base] as number) |= DURABLE;
      this.flush();
    };
  }

  private hold(packet: Puback): boolean {
    const number = this.pending[packet.messageId] as number;
    if (number === NONE) return false;
    this.reasons[packet.messageId] = packet.reasonCode ?? 0;
    (this.flags[number - this.base] as number) |= PUBACK;
    this.flush();
    return true;
  }

  /** Sends every acknowledgement that is due, oldest first, up to the first message not yet durable. */
  private flush(): void {
    let due: Puback[] | null = null;
    while (this.head < this.tail) {
      const flags = this.flags[this.head] as number;
      if ((flags & SUPERSEDED) === 0) {
        if ((flags & DUE) !== DUE) break;
        const messageId = this.ids[this.head] as number;
        this.pending[messageId] = NONE;
        this.count--;
        (due ??= []).push({ cmd: 'puback', messageId, reasonCode: this.reasons[messageId] as number });
      }
      this.head++;
    }
    if (this.head === this.tail) {
      this.base += this.head;
      this.head = this.tail = 0;
    }
    if (due) this.send(due);
  }

  /** The arrays are full: moves the held messages to the front, and doubles the arrays when they fill half of them. */
  private makeRoom(): void {
    const held = this.tail - this.head;
    if (held * 2 > this.ids.length) {
      const ids = new Uint16Array(this.ids.length * 2);
      const flags = new Uint8Array(this.ids.length * 2);
      ids.set(this.ids.subarray(this.head, this.tail));
      flags.set(this.flags.subarray(this.head, this.tail));
      [this.ids, this.flags] = [ids, flags];
    } else {
      this.ids.copyWithin(0, this.head, this.tail);
      this.flags.copyWithin(0, this.head, this.tail);
    }
    this.base += this.head;
    this.head = 0;
    this.tail = held;
  }

  reset(): void {
    this.generation++;
    this.pending.fill(NONE);
    this.base = this.head = this.tail = this.count = 0;
  }

  get held(): number {
    return this.count;
  }
}
