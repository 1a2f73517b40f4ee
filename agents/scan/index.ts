/** Finding miners on a LAN: `rigline-agent scan 10.0.0.0/22`. */
export { scanSubnet, tcpOpen, type ScanOptions, type ScanReport, type IdentifiedMiner, type UnknownHost } from './scan.js';
export { scanToAgentConfig, type ScannedAgentConfig, type CgminerSourceConfig } from './config.js';
export { parseCidr, MIN_PREFIX, type Cidr } from './cidr.js';
