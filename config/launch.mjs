// Shared by the bin/*.js launchers: loads a program from dist/ (the build), or says in one line how to build it.
/* global process, console */
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const dist = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist');

/** Imports dist/<file>; exits 1 with a hint when the build is missing (a fresh clone before `npm run build`). */
export async function launch(file, name) {
  const path = join(dist, file);
  if (!existsSync(path)) {
    console.error(`${name}: ${path} is missing: run \`npm run build\` first`);
    process.exit(1);
  }
  await import(pathToFileURL(path).href);
}
