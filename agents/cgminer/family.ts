import { descriptions, firstRow, rows, type MinerReplies } from './replies.js';
import { isRecord, str, type Record_ } from './units.js';

/**
 * Miner software families the agent tells apart; each has its own driver (drivers.ts): extra commands and a stats
 * layout. The Antminer forks (Hiveon, asicseer, mskminer, Blissz) share bmminer's stats layout but are reported under
 * their own name, because operators manage them differently (and #14's actions differ per firmware).
 */
export type MinerFamily =
  | 'antminer'
  | 'hiveon'
  | 'asicseer'
  | 'mskminer'
  | 'blissz'
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
 * - Braiins OS: `BOSminer` / `BOSminer+` / `BOSer` in VERSION or the Description,
 * - Vnish: `(Vnish x.y.z)` in the stats Type (its `version` answers "Invalid command"),
 * - Avalon: `PROD` "Avalon…" in VERSION or `MM ID` strings in stats,
 * - Whatsminer: devices named `SM`, summary keys only btminer has (`Factory GHS`, `Fan Speed In`), a Description
 *   "btminer"/"whatsminer", or the API v2/v3 replies a sleeping one still gives (`status` with `btmineroff`),
 * - Auradine: `GCMiner` in VERSION / "GCMiner-…" or "FluxOS-…" Descriptions,
 * - SealMiner: `BDMiner` in VERSION / "bdminer" in the Description,
 * - Antminer forks: "Hiveon" in the Type; "asicseer" in the BMMiner version; mskminer's version-suffixed Type
 *   ("S19-88 v.2.6.0.39", "Antminer S9 Pro (v5.1)"); Blissz's "Blissz" Type suffix,
 * - Antminer stock (bmminer/cgminer): `BMMiner` key or a Type starting with "Antminer",
 * - BFGMiner: Description "bfgminer …"; anything else that speaks the API is generic cgminer.
 */
export function identify(replies: MinerReplies): Identity {
  const version = firstRow(replies['version'], 'VERSION') ?? {};
  const statsHead = firstRow(replies['stats'], 'STATS') ?? {};
  const summary = firstRow(replies['summary'], 'SUMMARY') ?? {};
  const descs = descriptions(replies).join(' ');
  // stats names the model the way the running miner program sees it (with the firmware's own suffixes, which the
  // version reply of some firmware leaves out), so it comes first.
  const rawType = str(statsHead['Type']) ?? str(version['Type']);
  const type = rawType ? cleanType(rawType) : null;
  const firstDesc = descriptions(replies)[0] ?? null;

  const lux = str(version['LUXminer']);
  if (lux || /luxminer/i.test(descs)) {
    return { family: 'luxos', model: type, firmware: lux ? `LuxOS ${lux}` : str(version['Miner']) };
  }
  const bos = str(version['BOSminer']) ?? str(version['BOSminer+']) ?? str(version['BOSer']);
  if (bos || /bosminer|boser/i.test(descs)) return braiins(replies, version, type, bos, descs);
  // Braiins OS before BOSminer (2019) ran bmminer: "bmminer bOS_am1-s9-20190124-0_…", Type "braiins-am1-s9".
  const oldBos = /\bbOS_[\w.-]+/.exec(`${str(version['BMMiner']) ?? ''} ${str(statsHead['BMMiner']) ?? ''} ${descs}`);
  if (oldBos || /^braiins-/i.test(rawType ?? '')) {
    return { family: 'braiins', model: platformModel(`${rawType ?? ''} ${descs}`), firmware: `Braiins OS ${oldBos?.[0] ?? ''}`.trim() };
  }
  const vnish = rawType ? /^(.*?)\s*\((vnish[^)]*)\)\s*$/i.exec(rawType) : null;
  if (vnish) {
    const firmware = (vnish[2] ?? '').replace(/^vnish/i, 'Vnish');
    return { family: 'vnish', model: (vnish[1] ?? '').trim() || null, firmware };
  }
  const avalonStats = rows(replies['stats'], 'STATS').find((r) => Object.keys(r).some((k) => k.startsWith('MM ID')));
  const prod = str(version['PROD']);
  if ((prod && /avalon/i.test(prod)) || avalonStats) {
    const firmware = str(version['VERSION']) ?? str(version['LVERSION']) ?? str(version['CGVERSION']) ?? avalonVer(avalonStats);
    return { family: 'avalon', model: prod ?? avalonModel(avalonStats), firmware };
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
  const whatsminer = (): Identity => ({ family: 'whatsminer', model: whatsminerModel(replies), firmware: whatsminerFirmware(replies, summary) });
  if (isWhatsminer(replies, summary, descs)) return whatsminer();
  const bmminer = str(version['BMMiner']) ?? str(statsHead['BMMiner']);
  const fork = antminerFork(rawType ?? '', bmminer ?? '', descs);
  if (fork) return { family: fork.family, model: type, firmware: fork.firmware };
  if (bmminer !== null || /^antminer/i.test(type ?? '') || /^bmminer/i.test(firstDesc ?? '')) {
    return { family: 'antminer', model: type, firmware: antminerFirmware(version, statsHead) };
  }
  // Weakest sign last: btminer names its devices `SM`, but so does bmminer's single `devs` record.
  if (devicesNamedSm(replies)) return whatsminer();
  if (/bfgminer/i.test(descs)) {
    return { family: 'bfgminer', model: type, firmware: str(version['Miner']) ?? firstDesc };
  }
  return { family: 'cgminer', model: type, firmware: str(version['Miner']) ?? firstDesc };
}

/**
 * The model part of a Type string without what firmware appends: its own version ("S19-88 v.2.6.0.39",
 * "Antminer S9\nV1.3.58", "(v5.1)"), its name ("Antminer S9 Hiveon", "Antminer D3 Blissz v2.06 beta").
 */
export function cleanType(raw: string): string {
  const cleaned = raw
    .replace(/\s*\((?:vnish|v\d)[^)]*\)/i, '')
    .replace(/\s+(?:hiveon|blissz|mskminer|asicseer)\b.*$/i, '')
    .replace(/\s+v\.?\d[\w.]*(?:\s.*)?$/i, '')
    .replace(/\s+/g, ' ')
    .trim();
  return cleaned === '' ? raw.trim() : cleaned;
}

/** The Antminer firmware forks that keep bmminer's API, told apart by what each writes into its version fields. */
function antminerFork(rawType: string, bmminer: string, descs: string): { family: MinerFamily; firmware: string } | null {
  if (/hiveon/i.test(rawType) || /hiveon/i.test(bmminer)) return { family: 'hiveon', firmware: `Hiveon (bmminer ${bmminer || '?'})` };
  const seer = /asicseer[-\s]*([\w.-]+)/i.exec(`${bmminer} ${descs}`);
  if (seer) return { family: 'asicseer', firmware: `asicseer ${(seer[1] ?? '').replace(/-$/, '')}` };
  const blissz = /blissz\s*(v[\w.]+(?:\s+beta)?)?/i.exec(rawType);
  if (blissz) return { family: 'blissz', firmware: `Blissz${blissz[1] ? ` ${blissz[1]}` : ''}` };
  // mskminer writes its release into the Type: "S19-88 v.2.6.0.39", "Antminer S9 Pro (v5.1)".
  const msk = /\bv\.(\d[\d.]*)|\(v(\d[\d.]*)\)|mskminer/i.exec(rawType);
  if (msk) return { family: 'mskminer', firmware: `mskminer ${msk[1] ?? msk[2] ?? ''}`.trim() };
  return null;
}

function braiins(replies: MinerReplies, version: Record_, type: string | null, bos: string | null, descs: string): Identity {
  const plus = str(version['BOSminer+']) !== null;
  const fromDesc = /BOS(?:miner\+?|er)\s+(\S+(?:\s+\d\S*)?)/i.exec(descs);
  const firmware = bos ? `Braiins OS${plus ? '+' : ''} ${bos}` : fromDesc ? `Braiins OS ${fromDesc[1]}` : 'Braiins OS';
  // Without a Type, the Description names the platform: "BOSminer bosminer-plus-am1-s9 0.4.0-…" is an Antminer S9.
  const devModel = rows(replies['devdetails'], 'DEVDETAILS')
    .map((d) => str(d['Model']))
    .find((m) => m !== null);
  const model = type ?? devModel ?? platformModel(descs);
  return { family: 'braiins', model, firmware };
}

/** Braiins OS names the hardware platform, not the model: "am1-s9" is an Antminer S9, "am2-s17" an S17. */
function platformModel(text: string): string | null {
  const platform = /[-_]am\d-(s\d+\w*)/i.exec(text);
  return platform ? `Antminer ${(platform[1] ?? '').toUpperCase()}` : null;
}

/** Avalon 7xx-10xx name their model only in each module's `Ver[…]` (7411706-… is a 741, 1047-2005… a 1047). */
function avalonModel(stats: Record_ | undefined): string | null {
  const ver = avalonVer(stats);
  if (!ver) return null;
  const four = /^(1\d{3})-/.exec(ver);
  const dashed = /^(\d{2}-\d{3})/.exec(ver);
  const three = /^([7-9]\d{2})\d{4}/.exec(ver);
  const number = four?.[1] ?? dashed?.[1] ?? three?.[1] ?? null;
  return number ? `Avalon ${number}` : null;
}

function avalonVer(stats: Record_ | undefined): string | null {
  if (!stats) return null;
  for (const [key, value] of Object.entries(stats)) {
    if (!key.startsWith('MM ID') || typeof value !== 'string') continue;
    const match = /Ver\[([^\]]+)\]/.exec(value);
    if (match) return match[1] ?? null;
  }
  return null;
}

function isWhatsminer(replies: MinerReplies, summary: Record_, descs: string): boolean {
  if ('Factory GHS' in summary || 'Power Mode' in summary || 'Fan Speed In' in summary) return true;
  if (/btminer|whatsminer/i.test(descs)) return true;
  return whatsminerMsg(replies, 'status') !== null || replies['get.device.info'] !== undefined;
}

function devicesNamedSm(replies: MinerReplies): boolean {
  const devs = [...rows(replies['devs'], 'DEVS'), ...rows(replies['edevs'], 'DEVS')];
  return devs.length > 0 && devs.every((d) => str(d['Name']) === 'SM');
}

/** The `Msg` object of a Whatsminer API v1/v2 reply (`{"STATUS":"S","Msg":{…}}`), null when absent. */
export function whatsminerMsg(replies: MinerReplies, command: string): Record_ | null {
  const msg = replies[command]?.['Msg'];
  return isRecord(msg) ? msg : null;
}

/** The `msg` object of a Whatsminer API v3 reply (`{"code":0,"msg":{…}}`), null when absent or failed. */
export function whatsminerV3(replies: MinerReplies, command: string): Record_ | null {
  const reply = replies[command];
  if (!reply || (reply['code'] !== undefined && reply['code'] !== 0)) return null;
  return isRecord(reply['msg']) ? reply['msg'] : null;
}

/**
 * btminer names the model in devdetails (`Model`, e.g. "M30S++VE40"), API v2 in `get_version` (`miner_type`) and
 * `get_miner_info` (`model`), API v3 in `get.device.info` (`miner.type`); the cgminer summary does not.
 */
function whatsminerModel(replies: MinerReplies): string | null {
  const candidates = [
    ...rows(replies['devdetails'], 'DEVDETAILS').map((r) => str(r['Model'])),
    str(whatsminerMsg(replies, 'get_version')?.['miner_type']),
    str(whatsminerMsg(replies, 'get_miner_info')?.['model']),
    str((whatsminerV3(replies, 'get.device.info')?.['miner'] as Record_ | undefined)?.['type']),
  ];
  const model = candidates.find((c): c is string => c !== null && c !== undefined) ?? null;
  if (!model) return null;
  return /^whatsminer/i.test(model) ? model : `Whatsminer ${model.replace(/_/g, '')}`;
}

function whatsminerFirmware(replies: MinerReplies, summary: Record_): string | null {
  const status = whatsminerMsg(replies, 'status');
  const v3System = whatsminerV3(replies, 'get.device.info')?.['system'] as Record_ | undefined;
  return (
    str(summary['Firmware Version']) ??
    str(status?.['Firmware Version']) ??
    str(status?.['FirmwareVersion']) ??
    str(whatsminerMsg(replies, 'get_version')?.['fw_ver']) ??
    str(v3System?.['fwversion']) ??
    null
  );
}

/** Stock Antminer firmware is identified by its build time (the web UI shows it as "Firmware Version"). */
function antminerFirmware(version: Record_, stats: Record_): string | null {
  const compile = str(stats['CompileTime']) ?? str(version['CompileTime']);
  return compile ? compile.replace(/\s+/g, ' ') : null;
}
