import type { Duplex } from 'node:stream';
import type { MqttClient } from 'mqtt';

type Puback = { cmd: 'puback'; messageId: number; reasonCode?: number };

interface Pending {
  messageId: number;
  durable: boolean;
  /** The same id arrived again before this one was acknowledged: the newer entry stands for it. */
  superseded: boolean;
  /** The PUBACK mqtt.js wanted to send, held until the message is durable. */
  puback: Puback | null;
}

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
  /** Held messages by id, and the same entries in arrival order (`order` from `head` on: the oldest first). */
  private byId = new Map<number, Pending>();
  private order: (Pending | undefined)[] = [];
  private head = 0;

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
    const entry: Pending = { messageId, durable: false, superseded: false, puback: null };
    const previous = this.byId.get(messageId);
    if (previous) previous.superseded = true;
    this.byId.set(messageId, entry);
    this.order.push(entry);
    return () => {
      if (this.byId.get(messageId) !== entry) return; // the connection was reset meanwhile
      entry.durable = true;
      this.flush();
    };
  }

  private hold(packet: Puback): boolean {
    const entry = this.byId.get(packet.messageId);
    if (!entry) return false;
    entry.puback = packet;
    this.flush();
    return true;
  }

  /**
   * Sends every acknowledgement that is due, oldest first, up to the first message not yet durable. An array with a
   * head index, not the Map's own order: iterating a Map from its start walks the slots of entries deleted before
   * (until V8 rehashes it), which made each flush cost O(messages acknowledged so far) with thousands held while
   * InfluxDB lags (2.7 % of the server's CPU in the one-rig-per-message benchmark).
   */
  private flush(): void {
    let due: Puback[] | null = null;
    while (this.head < this.order.length) {
      const entry = this.order[this.head] as Pending;
      if (entry.superseded) {
        this.order[this.head++] = undefined;
        continue;
      }
      if (!entry.durable || !entry.puback) break;
      this.order[this.head++] = undefined;
      this.byId.delete(entry.messageId);
      (due ??= []).push(entry.puback);
    }
    if (due) this.send(due);
    if (this.head === this.order.length) [this.order, this.head] = [[], 0];
    else if (this.head > 4096 && this.head * 2 > this.order.length) [this.order, this.head] = [this.order.slice(this.head), 0];
  }

  reset(): void {
    this.byId = new Map();
    this.order = [];
    this.head = 0;
  }

  get held(): number {
    return this.byId.size;
  }
}
