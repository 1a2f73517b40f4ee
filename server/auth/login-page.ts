import type { RequestHandler } from 'express';

/**
 * The login form: static HTML, no script (so the strict CSP holds) and nothing from the request reflected into it.
 * It posts to /api/auth/login, which sets the session cookie and redirects to the app.
 */
type Notice = 'failed' | 'limited' | null;

const NOTICES: Record<Exclude<Notice, null>, string> = {
  failed: 'Unknown user or wrong password.',
  limited: 'Too many failed logins from this address: wait a minute and try again.',
};

const page = (notice: Notice): string => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width,initial-scale=1">
<title>rigline · log in</title>
<style>
body{font:15px system-ui,sans-serif;background:#0f1115;color:#e6e6e6;display:grid;place-items:center;min-height:100vh;margin:0}
form{background:#181b22;padding:2rem;border-radius:8px;display:grid;gap:.75rem;min-width:18rem}
input{font:inherit;padding:.5rem;border-radius:4px;border:1px solid #333;background:#0f1115;color:inherit}
button{font:inherit;padding:.5rem;border:0;border-radius:4px;background:#f7931a;color:#111;cursor:pointer}
.err{color:#ff6b6b;margin:0}
</style></head><body>
<form method="post" action="/api/auth/login">
<h1>rigline</h1>
${notice ? `<p class="err" role="alert">${NOTICES[notice]}</p>` : ''}
<label>User <input name="username" autocomplete="username" required maxlength="64" autofocus></label>
<label>Password <input name="password" type="password" autocomplete="current-password" required maxlength="1024"></label>
<button type="submit">Log in</button>
</form></body></html>`;

export const loginPage: RequestHandler = (req, res) => {
  res.type('html').set('Cache-Control', 'no-store').send(page(req.query.limited === '1' ? 'limited' : req.query.failed === '1' ? 'failed' : null));
};
