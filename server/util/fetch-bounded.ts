/** Largest /metrics reply read; a vLLM or TGI scrape is 10–100 kB, so this bounds memory, not real replies. */
export const MAX_METRICS_BYTES = 4 * 1024 * 1024;

/**
 * GETs a URL with a timeout and a cap on the body size (read incrementally: a server that streams without end
 * costs at most `maxBytes`). Throws with a one-line reason.
 */
export async function fetchBounded(url: string, timeoutMs: number, maxBytes: number, init: RequestInit = {}): Promise<string> {
  const res = await fetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs), redirect: 'error' });
  if (!res.ok) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`${url} answered HTTP ${res.status}`);
  }
  const declared = Number(res.headers.get('content-length'));
  if (Number.isFinite(declared) && declared > maxBytes) {
    await res.body?.cancel().catch(() => undefined);
    throw new Error(`${url} reply is ${declared} bytes, over the ${maxBytes}-byte limit`);
  }
  if (!res.body) return '';
  const reader = res.body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > maxBytes) {
      await reader.cancel().catch(() => undefined);
      throw new Error(`${url} reply is over the ${maxBytes}-byte limit`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
