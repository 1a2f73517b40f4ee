import { z } from 'zod';
import { SCHEMA_VERSION } from './telemetry.js';

/**
 * Retained on rigline/v1/{site}/{rig}/status. The publisher sends 'online' as its birth message and registers
 * 'offline' as its MQTT Last Will, so the broker tells the server when the connection dies.
 */
export const AgentStatus = z.object({
  schema: z.literal(SCHEMA_VERSION),
  state: z.enum(['online', 'offline']),
  ts: z.number().int().positive(),
  agent: z.object({ name: z.string().max(128), version: z.string().max(64) }).nullable(),
  firmware: z.string().max(256).nullable(),
  /** Set by a graceful shutdown, so an operator can tell a planned stop from a crash. */
  reason: z.string().max(256).nullable(),
  /**
   * Where this connection takes operator commands (issue 14): its credential username, the {agent} of
   * rigline/v1/{site}/{agent}/command, and whether its config enables actions. Absent: it takes none.
   */
  commands: z.object({ agent: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/), enabled: z.boolean() }).optional(),
});
export type AgentStatus = z.infer<typeof AgentStatus>;
