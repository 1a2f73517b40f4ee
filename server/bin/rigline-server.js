#!/usr/bin/env node
// rigline-server: `rigline-server [--config file]` runs the server; `rigline-server agents|users|tokens|rigs ...`
// manages credentials. Runs the build (dist/rigline-server.js, `npm run build`); `npm run dev` runs the sources.
import { launch } from '../../config/launch.mjs';

await launch('rigline-server.js', 'rigline-server');
