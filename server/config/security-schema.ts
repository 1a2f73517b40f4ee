import { z } from 'zod';
import { ROLES } from '../auth/roles.js';
import { SiteId } from '../contract/ids.js';

/** Config sections owned by security and scale-out (issue 7); schema.ts includes them. */
const file = z.string().min(1);

/** PEM files for a TLS endpoint. */
export const TlsFiles = z
  .object({ cert_file: file, key_file: file, ca_file: file.optional() })
  .strict();

export const AuthSchema = z
  .object({
    /** Agents, people and API tokens (hashes only). Written by `rigline-server agents|users|tokens`; null: memory. */
    credentials_file: z.string().min(1).nullable().default('config/credentials.json'),
    /** Role of a visitor who has not logged in: 'none' requires login (production); the demo uses 'viewer'. */
    anonymous: z.enum(['none', ...ROLES]).default('none'),
    /** Demo only: create an `admin` user with a random password printed at start. */
    demo_admin: z.boolean().default(false),
    /** People declared in config (password_hash from `rigline-server users hash`); the credentials file adds more. */
    users: z
      .array(
        z
          .object({
            username: z.string().regex(/^[a-zA-Z0-9][a-zA-Z0-9._-]{0,63}$/),
            role: z.enum(ROLES),
            password_hash: z.string().startsWith('$7$'),
            /** Sites this person may act on (operator actions, issue 14); absent: every site. */
            sites: z.array(SiteId).max(10_000).optional(),
          })
          .strict(),
      )
      .default([]),
    session_ttl_minutes: z.number().int().min(1).max(43_200).default(480),
    /** Signs session cookies. Set the same value on every instance behind one load balancer; random when unset. */
    session_secret: z.string().min(32).optional(),
    /** 'auto': Secure cookies when the server itself serves HTTPS. Set true behind a TLS-terminating proxy. */
    cookie_secure: z.union([z.boolean(), z.literal('auto')]).default('auto'),
    rate_limit: z
      .object({
        login_per_minute: z.number().int().min(1).max(100_000).default(10),
        api_per_minute: z.number().int().min(1).max(10_000_000).default(1200),
      })
      .strict()
      .prefault({}),
    /** Where `rigline-server agents` writes Mosquitto's password_file and acl_file. */
    mosquitto: z
      .object({
        password_file: file.default('config/mosquitto.passwd'),
        acl_file: file.default('config/mosquitto.acl'),
      })
      .strict()
      .prefault({}),
  })
  .strict()
  .prefault({});
