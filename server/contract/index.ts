/** The one wire contract shared by agents, server and web. */
export * from './ids.js';
export * from './topics.js';
export * from './telemetry.js';
export * from './status.js';
export * from './api.js';
export * from './socket.js';
export * from './alerts.js';
export * from './rig-page.js';
export * from './economics.js';
export * from './actions.js';
export * from './paging.js';
