import { buildPrograms } from './helpers/build.js';

/** Vitest global setup: tests that spawn rigline-server, rigline-plan or rigline-agent run the build, as users do. */
export default function setup(): void {
  buildPrograms();
}
