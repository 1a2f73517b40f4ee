import type { Response } from 'express';
import { z } from 'zod';
import { LIST_BOUNDS, MAX_OFFSET, TOTAL_COUNT_HEADER, type ListName } from '../contract/paging.js';
import { invalidParameter } from './params.js';

export interface Page {
  offset: number;
  limit: number;
}

/** `offset` and `limit` fields for a list's query schema, with that list's default and hard maximum. */
export function pageFields(list: ListName) {
  const { defaultLimit, maxLimit } = LIST_BOUNDS[list];
  return {
    offset: z.coerce.number().int().min(0).max(MAX_OFFSET).default(0),
    limit: z.coerce.number().int().min(1).max(maxLimit).default(defaultLimit),
  };
}

const schemas = new Map<ListName, z.ZodType<Page>>();

/** Parses a query that takes only `offset` and `limit`; anything else, or a bad value, is 400 invalid_parameter. */
export function parsePage(list: ListName, query: unknown): Page {
  let schema = schemas.get(list);
  if (!schema) schemas.set(list, (schema = z.object(pageFields(list)).strict()));
  const parsed = schema.safeParse(query);
  if (!parsed.success) throw invalidParameter(parsed.error, query);
  return parsed.data;
}

/** Sets X-Total-Count to the whole list's length and returns the page's items. */
export function pageOf<T>(res: Response, items: readonly T[], page: Page): T[] {
  res.setHeader(TOTAL_COUNT_HEADER, String(items.length));
  return items.slice(page.offset, page.offset + page.limit);
}
