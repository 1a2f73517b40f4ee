import { describe, expect, it } from 'vitest';
import { DeferredAcks } from '../../server/ingest/deferred-acks.js';

/** The tracker alone, with the PUBACKs it sends recorded: what mqtt.js would write to the broker, in order. */
function tracker(): { acks: DeferredAcks; sent: number[]; arrive: (id: number) => () => void } {
  const sent: number[] = [];
  const acks = new DeferredAcks((packets) => sent.push(...packets.map((p) => p.messageId)));
  const hold = (acks as unknown as { hold: (p: { cmd: 'puback'; messageId: number }) => boolean }).hold.bind(acks);
  // As in a client: the message is expected, then mqtt.js hands over the PUBACK it wants to send.
  const arrive = (id: number): (() => void) => {
    const durable = acks.expect(id);
    expect(hold({ cmd: 'puback', messageId: id })).toBe(true);
    return durable;
  };
  return { acks, sent, arrive };
}

describe('DeferredAcks (acknowledge after storage, in arrival order: MQTT 3.1.1 §4.6)', () => {
  it('holds a stored message behind an earlier one that is not stored yet, then sends both in order', () => {
    const { acks, sent, arrive } = tracker();
    const first = arrive(1);
    const second = arrive(2);
    second();
    expect(sent).toEqual([]);
    expect(acks.held).toBe(2);
    first();
    expect(sent).toEqual([1, 2]);
    expect(acks.held).toBe(0);
  });

  it('keeps order over many messages stored in a different order, each acknowledged once', () => {
    const { acks, sent, arrive } = tracker();
    const ids = Array.from({ length: 20_000 }, (_, i) => (i % 65_535) + 1);
    const durables = ids.map((id) => arrive(id));
    // Storage finishes back to front in blocks: nothing may go before the oldest is stored.
    for (let i = durables.length - 1; i > 0; i--) durables[i]!();
    expect(sent).toEqual([]);
    durables[0]!();
    expect(sent).toEqual(ids);
    expect(acks.held).toBe(0);
  });

  it('keeps order over a window of messages that never empties (held messages are moved to the front of their arrays)', () => {
    const { acks, sent, arrive } = tracker();
    const window: { id: number; durable: () => void }[] = [];
    const expected: number[] = [];
    // 5,000 messages with ~300 held at any time, each stored ~300 arrivals later (ids wrap past 65,535 twice over).
    for (let i = 0; i < 5_000; i++) {
      const id = ((i * 29) % 65_535) + 1;
      window.push({ id, durable: arrive(id) });
      if (window.length > 300) {
        const oldest = window.shift()!;
        oldest.durable();
        expected.push(oldest.id);
      }
    }
    expect(sent).toEqual(expected);
    expect(acks.held).toBe(300);
    // The rest stored newest first: nothing goes until the oldest is, then all in arrival order.
    for (const { durable } of [...window].reverse()) durable();
    expect(sent).toEqual([...expected, ...window.map((w) => w.id)]);
    expect(acks.held).toBe(0);
  });

  it('hands on a PUBACK\'s reason code (MQTT 5 handlers may refuse a message)', () => {
    const packets: { messageId: number; reasonCode?: number }[] = [];
    const acks = new DeferredAcks((due) => packets.push(...due));
    const hold = (acks as unknown as { hold: (p: { cmd: 'puback'; messageId: number; reasonCode?: number }) => boolean }).hold.bind(acks);
    const first = acks.expect(5);
    const second = acks.expect(6);
    hold({ cmd: 'puback', messageId: 5, reasonCode: 0x87 });
    hold({ cmd: 'puback', messageId: 6 });
    second();
    first();
    expect(packets.map((p) => [p.messageId, p.reasonCode ?? 0])).toEqual([[5, 0x87], [6, 0]]);
  });

  it('forgets what it held when the connection drops (the broker redelivers those)', () => {
    const { acks, sent, arrive } = tracker();
    const before = arrive(7);
    acks.reset();
    before();
    expect(sent).toEqual([]);
    arrive(7)();
    expect(sent).toEqual([7]);
  });

  it('lets a message id that arrives again stand for the earlier one, without blocking the queue', () => {
    const { sent, arrive } = tracker();
    const stale = arrive(3);
    const again = arrive(3);
    const next = arrive(4);
    stale(); // the superseded entry's callback changes nothing
    expect(sent).toEqual([]);
    next();
    again();
    expect(sent).toEqual([3, 4]);
  });

  it('sends a PUBACK at once for a message it was never told about (QoS 1 outside telemetry)', () => {
    const { acks } = tracker();
    const hold = (acks as unknown as { hold: (p: { cmd: 'puback'; messageId: number }) => boolean }).hold.bind(acks);
    expect(hold({ cmd: 'puback', messageId: 99 })).toBe(false);
  });
});
