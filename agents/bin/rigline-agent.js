#!/usr/bin/env node
// rigline-agent launcher: the agent is TypeScript run through tsx (a runtime dependency), so no build step is
// needed on a rig host. Registers tsx's ESM loader, then hands over to the CLI.
import { register } from 'tsx/esm/api';

register();
await import('../cli.ts');
