import type { AddressInfo } from 'node:net';
import { Writable } from 'node:stream';
import express from 'express';
import { pino } from 'pino';
import { describe, expect, it } from 'vitest';
import { ApiError, errorHandler } from '../../server/api/errors.js';

describe('API error handler', () => {
  it('answers JSON for coded and unexpected errors, and logs the unexpected one with its stack', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const app = express();
    app.get('/coded', () => {
      throw new ApiError(404, 'thing_not_found', 'no thing');
    });
    app.get('/bug', () => {
      throw new TypeError('cannot read properties of undefined');
    });
    app.use(errorHandler(pino(sink)));
    const server = app.listen(0, '127.0.0.1');
    await new Promise((resolve) => server.once('listening', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    try {
      const coded = await fetch(`${base}/coded`);
      expect([coded.status, await coded.json()]).toEqual([404, { error: { code: 'thing_not_found', message: 'no thing' } }]);
      const bug = await fetch(`${base}/bug`);
      expect([bug.status, await bug.json()]).toEqual([500, { error: { code: 'internal', message: 'internal server error' } }]);
      expect(lines).toHaveLength(1);
      expect(lines[0]).toMatchObject({ level: 50, msg: 'request failed', path: '/bug', err: { type: 'TypeError' } });
      expect(String((lines[0]?.err as { stack?: string }).stack)).toContain('cannot read properties of undefined');
    } finally {
      server.close();
    }
  });
});
