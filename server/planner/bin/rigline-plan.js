#!/usr/bin/env node
// rigline-plan: runs the built planner CLI (dist/rigline-plan.js, `npm run build`).
import { launch } from '../../../config/launch.mjs';

await launch('rigline-plan.js', 'rigline-plan');
