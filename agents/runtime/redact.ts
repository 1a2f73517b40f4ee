/** Secrets the agent's logger never prints (pino `redact` paths): MQTT and miner passwords, tokens, secrets. */
export const AGENT_REDACT_PATHS = [
  'password',
  '*.password',
  'miner_password',
  '*.miner_password',
  'token',
  '*.token',
  'secrets',
  '*.secrets',
];
