export { OPTIONAL_FIELDS, QUERY_ARGS, QUERY_FIELDS, parseQueryGpuCsv, queryArgs } from './csv.js';
export type { GpuEntry, GpuReport } from './reading.js';
export { toGpuSample, type GpuSampleContext } from './sample.js';
export { createNvidiaSmiSource, readNvidiaSmi, runNvidiaSmi, type NvidiaSmiFormat, type NvidiaSmiSourceOptions } from './source.js';
export { NvidiaSmiParseError, parseNvidiaSmiXml } from './xml.js';
export { parseNvidiaSmiText } from './text.js';
export { parseListGpus, withMigInstances, type ListedGpu } from './list.js';
