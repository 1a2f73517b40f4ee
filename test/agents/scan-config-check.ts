import { z } from 'zod';
import { RigId, SiteId } from '../../server/contract/index.js';

/** The shape the agent's config takes for cgminer sources: valid site and rig ids, unique rigs. */
export const AgentSourcesCheck = z.object({
  site: SiteId,
  sources: z
    .array(z.object({ type: z.literal('cgminer'), host: z.string().min(1), port: z.number().int().min(1).max(65535), rig: RigId }))
    .refine((list) => new Set(list.map((s) => s.rig)).size === list.length, 'rig ids must be unique'),
});
