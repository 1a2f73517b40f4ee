import { resolve } from 'node:path';
import express, { type Express, type RequestHandler } from 'express';
import { ApiError } from '../api/errors.js';

/** Vite names every built asset after its content hash (web/dist/assets/index-3f9a1c.js): its bytes never change. */
const HASHED_ASSETS = '/assets';
const IMMUTABLE = 'public, max-age=31536000, immutable';
/** The app shell names the current hashes: revalidated on every load (ETag, 304 when unchanged). */
const REVALIDATE = 'no-cache';

/** Source maps are never served, wherever one might lie (config/build.mjs moves the web app's out of web/dist). */
const refuseSourceMaps: RequestHandler = (req, _res, next) => {
  next(req.path.endsWith('.map') ? new ApiError(404, 'not_found', `no route ${req.method} ${req.path}`) : undefined);
};

/**
 * Serves the built web app from `webDir`: hashed assets cached for a year as `immutable` (RFC 8246), everything
 * else, the app shell above all, with an ETag and `no-cache`, so a new build reaches every browser on its next load
 * while unchanged files cost a 304. Deep links (/sites/x, /rigs/y) are client-side routes and get the shell; a
 * missing asset is a 404, never the shell.
 */
export function serveWebApp(app: Express, webDir: string): void {
  const shell = resolve(webDir, 'index.html');
  app.use(refuseSourceMaps);
  app.use(
    HASHED_ASSETS,
    express.static(resolve(webDir, 'assets'), {
      etag: true,
      fallthrough: true,
      index: false,
      setHeaders: (res) => res.setHeader('Cache-Control', IMMUTABLE),
    }),
  );
  app.use(express.static(webDir, { etag: true, index: false, setHeaders: (res) => res.setHeader('Cache-Control', REVALIDATE) }));
  app.get(/^\/(?!api\/|socket\.io\/|assets\/).*/, (_req, res) => res.sendFile(shell, { etag: true, headers: { 'Cache-Control': REVALIDATE } }));
}
