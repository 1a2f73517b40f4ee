#!/usr/bin/env -S node --min-semi-space-size=8
// rigline-server: `rigline-server [--config file]` runs the server; `rigline-server agents|users|tokens|rigs ...`
// manages credentials. Runs the build (dist/rigline-server.js, `npm run build`); `npm run dev` runs the sources.
// --min-semi-space-size: V8's young generation sized for a site controller's 1 MB batch, as `npm start` and the image
// give it (README, "Hot path"; `env -S` passes the flag on, coreutils 8.30+).
import { launch } from '../../config/launch.mjs';

await launch('rigline-server.js', 'rigline-server');
