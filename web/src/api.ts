import { TOTAL_COUNT_HEADER } from '../../server/contract/paging.js';

/** JSON over fetch with the API's error shape ({ error: { code, message } }) turned into an ApiFailure. */
export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export async function api<T>(path: string, init?: RequestInit): Promise<T> {
  return (await apiWithResponse<T>(path, init)).body;
}

/**
 * A page of a bounded list (server/contract/paging.ts): its items and the list's whole length, from the
 * X-Total-Count header (the items' own count when a server does not send it).
 */
export async function apiList<T>(path: string, init?: RequestInit): Promise<{ items: T[]; total: number }> {
  const { body, res } = await apiWithResponse<T[]>(path, init);
  const total = Number(res.headers.get(TOTAL_COUNT_HEADER) ?? Number.NaN);
  return { items: body, total: Number.isFinite(total) ? total : body.length };
}

/** Every item of a paged list, one maximal page at a time (`path` has no offset or limit; `max` is the list's maxLimit). */
export async function apiAll<T>(path: string, max: number, init?: RequestInit): Promise<T[]> {
  const all: T[] = [];
  const join = path.includes('?') ? '&' : '?';
  for (;;) {
    const { items, total } = await apiList<T>(`${path}${join}offset=${all.length}&limit=${max}`, init);
    all.push(...items);
    if (items.length === 0 || all.length >= total) return all;
  }
}

async function apiWithResponse<T>(path: string, init?: RequestInit): Promise<{ body: T; res: Response }> {
  let res: Response;
  try {
    res = await fetch(path, { ...init, headers: { accept: 'application/json', ...(init?.body ? { 'content-type': 'application/json' } : {}), ...init?.headers } });
  } catch (err) {
    // A caller's own abort is not a failure of the server: let it through so the caller can tell the two apart.
    if ((err as Error).name === 'AbortError') throw err;
    throw new ApiFailure(0, 'network', `server unreachable: ${(err as Error).message}`);
  }
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | null)?.error;
    throw new ApiFailure(res.status, error?.code ?? 'http_error', error?.message ?? `HTTP ${res.status}`);
  }
  return { body: body as T, res };
}

export function post<T>(path: string, body: unknown): Promise<T> {
  return api<T>(path, { method: 'POST', body: JSON.stringify(body) });
}
