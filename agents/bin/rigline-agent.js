#!/usr/bin/env node
// rigline-agent from a checkout: runs the built agent (dist/agent/rigline-agent.cjs, `npm run build`), the same
// single file a rig host installs from the agent tarball. `npm run dev:agent` runs the TypeScript through tsx.
import { launch } from '../../config/launch.mjs';

await launch('agent/rigline-agent.cjs', 'rigline-agent');
