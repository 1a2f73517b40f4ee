import compression from 'compression';
import type { RequestHandler } from 'express';

/**
 * gzip / brotli for every compressible response (JSON, the app shell, scripts, styles), negotiated from
 * Accept-Encoding by the `compression` middleware: brotli (quality 4, cheap enough per request) where the client
 * takes it, else gzip. Bodies under 1 KiB go out as they are: compressing them costs more than it saves.
 */
export function compressResponses(): RequestHandler {
  return compression({ threshold: 1024 });
}
