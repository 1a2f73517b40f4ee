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
        /** Failed logins per (username, client address) in a minute before that pair is locked out (with backoff). */
        login_per_minute: z.number().int().min(1).max(100_000).default(10),
        /** Longest lockout of one (username, address) pair; each lockout doubles from one minute up to this. */
        login_lockout_max_s: z.number().int().min(60).max(86_400).default(900),
        /** Failed logins per client address in a minute, all usernames together (password spraying). */
        login_per_address_per_minute: z.number().int().min(1).max(1_000_000).default(100),
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

/** InfluxQL-style duration (7d, 12h, 90m, 2w). */
const span = z.string().regex(/^\d+(m|h|d|w)$/, 'must be a duration such as 90m, 12h, 7d or 2w');

/**
 * Ingest's defences against hostile or broken agents (issue 10), spread into the `ingest` section. Defaults fit a
 * 10,000-rig site behind one site controller.
 */
export const IngestGuardsSchema = {
  /** Samples stamped further ahead of the server clock are refused (counted `clock_skew`): never stored or applied. */
  max_future_skew_ms: z.number().int().min(1000).max(86_400_000).default(30_000),
  /** Distinct rig ids one agent (topic source) may report; more are refused (counted `rig_limit`). */
  max_rigs_per_agent: z.number().int().min(1).max(1_000_000).default(15_000),
  /** Distinct rig ids one site may own; more are refused (counted `rig_limit`). */
  max_rigs_per_site: z.number().int().min(1).max(1_000_000).default(15_000),
  /** An offline rig is forgotten from live state after this long without a sample (its history stays). */
  forget_after: span.default('7d'),
  /** Rig → owning site (first seen), kept across restarts; null keeps it in memory. */
  rig_sites_file: z.string().min(1).nullable().default(null),
};
