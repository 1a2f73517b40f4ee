#!/usr/bin/env -S GLIBC_TUNABLES=glibc.malloc.mmap_threshold=4194304:glibc.malloc.trim_threshold=67108864 node --min-semi-space-size=8
// rigline-server: `rigline-server [--config file]` runs the server; `rigline-server agents|users|tokens|rigs ...`
// manages credentials. Runs the build (dist/rigline-server.js, `npm run build`); `npm run dev` runs the sources.
// --min-semi-space-size: V8's young generation sized for a site controller's 1 MB batch; GLIBC_TUNABLES: malloc keeps
// freed memory for the next 1 MB message instead of handing it back to the kernel; both as `npm start` and the image
// give them (README, "Hot path"; `env -S` passes them on, coreutils 8.30+).
import { launch } from '../../config/launch.mjs';

await launch('rigline-server.js', 'rigline-server');
