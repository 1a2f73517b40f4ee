import { descriptions, firstRow, rows, type MinerReplies } from './replies.js';
import { str, type Record_ } from './units.js';

/** Miner software families the agent tells apart; each has its own extra commands and stats layout. */
export type MinerFamily =
  | 'antminer'
  | 'braiins'
  | 'luxos'
  | 'vnish'
  | 'whatsminer'
  | 'avalon'
  | 'sealminer'
  | 'auradine'
  | 'bfgminer'
  | 'cgminer';

export interface Identity {
  family: MinerFamily;
  /** Model as the miner names it (`Antminer S19 Pro`, `Avalon Q`), firmware suffixes removed; null if unknown. */
  model: string | null;
  firmware: string | null;
}

/**
 * Detects the family from `version` and `stats` (and `summary`/`devs` for firmware that hides its name):
 * - LuxOS: `LUXminer` in VERSION / STATUS Description,
 * - Braiins OS: `BOSminer` / `BOSer` in VERSION,
 * - Vnish: `(Vnish x.y.z)` in the stats Type (its `version` answers "Invalid command"),
 * - Avalon: `PROD` "Avalon…" in VERSION or `MM ID0` in stats,
 * - Whatsminer: devices named `SM`, or summary keys only btminer has (`Factory GHS`, `Power Mode`),
 * - Auradine: `GCMiner` in VERSION / "GCMiner-…" or "FluxOS-…" Descriptions,
 * - SealMiner: `BDMiner` in VERSION / "bdminer" in the Description,
 * - Antminer stock (bmminer/cgminer): `BMMiner` key or a Type starting with "Antminer",
 * - BFGMiner: Description "bfgminer …"; anything else that speaks the API is generic cgminer.
 */
export function identify(replies: MinerReplies): Identity {
  const version = firstRow(replies['version'], 'VERSION') ?? {};
  const statsHead = firstRow(replies['stats'], 'STATS') ?? {};
  const summary = firstRow(replies['summary'], 'SUMMARY') ?? {};
  const descs = descriptions(replies).join(' ');
  const rawType = str(version['Type']) ?? str(statsHead['Type']);
  // Some firmware appends its own version to the type ("S19-88 v.2.6.0.39").
  const type = rawType ? rawType.replace(/\s+v\.?\d[\d.]*$/i, '') : null;
  const firstDesc = descriptions(replies)[0] ?? null;

  const lux = str(version['LUXminer']);
  if (lux || /luxminer/i.test(descs)) {
    return { family: 'luxos', model: type, firmware: lux ? `LuxOS ${lux}` : str(version['Miner']) };
  }
  const bos = str(version['BOSminer']) ?? str(version['BOSer']);
  if (bos || /bosminer|boser/i.test(descs)) {
    return { family: 'braiins', model: type, firmware: bos ? `Braiins OS ${bos}` : null };
  }
  const vnish = type ? /^(.*?)\s*\((vnish[^)]*)\)\s*$/i.exec(type) : null;
  if (vnish) {
    const firmware = (vnish[2] ?? '').replace(/^vnish/i, 'Vnish');
    return { family: 'vnish', model: (vnish[1] ?? '').trim() || null, firmware };
  }
  const avalonStats = rows(replies['stats'], 'STATS').find((r) => Object.keys(r).some((k) => k.startsWith('MM ID')));
  const prod = str(version['PROD']);
  if ((prod && /avalon/i.test(prod)) || avalonStats) {
    const firmware = str(version['VERSION']) ?? str(version['LVERSION']) ?? str(version['CGVERSION']);
    return { family: 'avalon', model: prod, firmware };
  }
  if (version['GCMiner'] !== undefined || /gcminer|fluxos/i.test(descs)) {
    const report = firstRow(replies['ipreport'], 'IPReport') ?? {};
    const auradineModel = str(report['model']);
    const fw = str(report['version']);
    return {
      family: 'auradine',
      model: auradineModel ? `Auradine ${auradineModel}` : null,
      firmware: fw ? `FluxOS ${fw}` : str(version['GCMiner']) ? `GCMiner ${str(version['GCMiner'])}` : firstDesc,
    };
  }
  if (version['BDMiner'] !== undefined || /bdminer/i.test(descs)) {
    const sealStats = rows(replies['stats'], 'STATS').find((r) => 'Board Count' in r) ?? {};
    const sealModel = str(sealStats['Model']);
    return {
      family: 'sealminer',
      model: sealModel ? `SealMiner ${sealModel}` : null,
      firmware: str(sealStats['Firmware']) ?? firstDesc,
    };
  }
  if (isWhatsminer(replies, summary)) {
    return { family: 'whatsminer', model: whatsminerModel(replies), firmware: str(summary['Firmware Version']) };
  }
  if (version['BMMiner'] !== undefined || statsHead['BMMiner'] !== undefined || /^antminer/i.test(type ?? '')) {
    return { family: 'antminer', model: type, firmware: antminerFirmware(version, statsHead) };
  }
  if (/bfgminer/i.test(descs)) {
    return { family: 'bfgminer', model: type, firmware: str(version['Miner']) ?? firstDesc };
  }
  return { family: 'cgminer', model: type, firmware: str(version['Miner']) ?? firstDesc };
}

function isWhatsminer(replies: MinerReplies, summary: Record_): boolean {
  if ('Factory GHS' in summary || 'Power Mode' in summary || 'Fan Speed In' in summary) return true;
  const devs = rows(replies['devs'], 'DEVS');
  return devs.length > 0 && devs.every((d) => str(d['Name']) === 'SM');
}

/** btminer names the model in devdetails (`Model`), e.g. "M30S++VE40"; the cgminer replies do not. */
function whatsminerModel(replies: MinerReplies): string | null {
  for (const row of rows(replies['devdetails'], 'DEVDETAILS')) {
    const model = str(row['Model']);
    if (model) return /^whatsminer/i.test(model) ? model : `Whatsminer ${model}`;
  }
  return null;
}

/** Stock Antminer firmware is identified by its build time (the web UI shows it as "Firmware Version"). */
function antminerFirmware(version: Record_, stats: Record_): string | null {
  const compile = str(version['CompileTime']) ?? str(stats['CompileTime']);
  return compile ? compile.replace(/\s+/g, ' ') : null;
}
