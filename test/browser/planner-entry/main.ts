import { mountPlanner } from '../../../web/src/planner/page.js';

mountPlanner(document.getElementById('app') as HTMLElement);
