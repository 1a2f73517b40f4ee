import { once } from 'node:events';
import { createServer, connect, type Server, type Socket } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { readInBursts } from '../../server/ingest/read-bursts.js';

/** A loopback TCP pair: `sender` writes, `receiver` is the connection read in bursts. */
async function pair(): Promise<{ sender: Socket; receiver: Socket; server: Server }> {
  const server = createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const accepted = once(server, 'connection') as Promise<[Socket]>;
  const receiver = connect((server.address() as { port: number }).port, '127.0.0.1');
  await once(receiver, 'connect');
  const [sender] = await accepted;
  return { sender, receiver, server };
}

const open: { sender: Socket; receiver: Socket; server: Server }[] = [];
afterEach(() => {
  for (const { sender, receiver, server } of open.splice(0)) {
    sender.destroy();
    receiver.destroy();
    server.close();
  }
});

describe('reading the broker connection in bursts', () => {
  it('rests after a small read, reads nothing while resting, and loses and reorders nothing', async () => {
    const conn = await pair();
    open.push(conn);
    const rest = 40;
    readInBursts(conn.receiver, rest);
    const received: Buffer[] = [];
    const reads: { at: number; paused: boolean }[] = [];
    conn.receiver.on('data', (chunk: Buffer) => {
      received.push(chunk);
      reads.push({ at: performance.now(), paused: conn.receiver.isPaused() });
    });
    // 150 small messages, each written on its own turn, as a broker hands one-rig messages over.
    const sent: Buffer[] = [];
    for (let i = 0; i < 150; i++) {
      const message = Buffer.from(`message ${i} `.padEnd(100, '.'));
      sent.push(message);
      conn.sender.write(message);
      await new Promise((r) => setImmediate(r));
    }
    const total = Buffer.concat(sent);
    while (Buffer.concat(received).length < total.length) await once(conn.receiver, 'data');
    expect(Buffer.concat(received).equals(total)).toBe(true);
    // Every small read paused the stream, and the next read came only after the rest (timers never fire early by
    // more than the millisecond they are rounded to).
    expect(reads.every((r) => r.paused)).toBe(true);
    for (let i = 1; i < reads.length; i++) expect(reads[i]!.at - reads[i - 1]!.at).toBeGreaterThanOrEqual(rest - 1.5);
  });

  it('does not rest after a full read (a backlog or a batch): only once the socket is drained', async () => {
    const conn = await pair();
    open.push(conn);
    readInBursts(conn.receiver, 30);
    let bytes = 0;
    const paused: boolean[] = [];
    conn.receiver.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (chunk.length >= 64 * 1024) paused.push(conn.receiver.isPaused());
    });
    const big = Buffer.alloc(4 << 20, 7);
    conn.sender.write(big);
    while (bytes < big.length) await once(conn.receiver, 'data');
    expect(bytes).toBe(big.length);
    expect(paused.length).toBeGreaterThan(0);
    expect(paused.every((p) => !p)).toBe(true);
  });

  it('stops with the connection: no timer left behind, and stop() takes its listener off', async () => {
    const conn = await pair();
    open.push(conn);
    const before = conn.receiver.listenerCount('data');
    const stop = readInBursts(conn.receiver, 60_000);
    expect(conn.receiver.listenerCount('data')).toBe(before + 1);
    conn.sender.write('small');
    await once(conn.receiver, 'data');
    expect(conn.receiver.isPaused()).toBe(true);
    stop();
    expect(conn.receiver.listenerCount('data')).toBe(before);
  });
});
