import type { ErrorRequestHandler, RequestHandler } from 'express';
import type { Logger } from 'pino';

/** An API error with a stable machine-readable code; rendered as { error: { code, message } }. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    /** Extra response headers, e.g. Retry-After on a 429. */
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}

export const notFound: RequestHandler = (req, _res, next) => {
  next(new ApiError(404, 'not_found', `no route ${req.method} ${req.path}`));
};

/**
 * Renders every error as JSON. An unexpected one answers a bare 500 (no internals to the client) and is logged with
 * its stack, so a bug behind a 500 is never invisible to the operator.
 */
export const errorHandler = (log: Pick<Logger, 'error'>): ErrorRequestHandler => (err: unknown, req, res, _next) => {
  if (err instanceof ApiError) {
    res.set(err.headers);
    res.status(err.status).json({ error: { code: err.code, message: err.message } });
    return;
  }
  // express.json() raises these for malformed bodies.
  const status = (err as { status?: number }).status;
  if (status && status >= 400 && status < 500) {
    res.status(status).json({ error: { code: 'bad_request', message: (err as Error).message } });
    return;
  }
  log.error({ err, method: req.method, path: req.path }, 'request failed');
  res.status(500).json({ error: { code: 'internal', message: 'internal server error' } });
};
