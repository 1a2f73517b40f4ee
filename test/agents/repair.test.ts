import { describe, expect, it } from 'vitest';
import { parseMinerJson, repairJson } from '../../agents/cgminer/index.js';

/** The firmware quirks repairJson exists for, each on its own, then together. */
describe('repairJson / parseMinerJson', () => {
  it('leaves valid JSON alone', () => {
    const text = '{"STATUS":[{"STATUS":"S","Msg":"a,} b"}],"id":1}';
    expect(repairJson(text)).toBe(text);
  });

  it('inserts the missing comma in `}{` between objects (Antminer stats)', () => {
    const text = '{"STATS":[{"Type":"Antminer S9"}{"GHS 5s":"13500.1"}],"id":1}';
    expect(parseMinerJson(text)).toEqual({ STATS: [{ Type: 'Antminer S9' }, { 'GHS 5s': '13500.1' }], id: 1 });
  });

  it('drops trailing commas before } and ] and a leading one after [', () => {
    expect(parseMinerJson('{"a":[1,2,],"b":{"c":3,},}')).toEqual({ a: [1, 2], b: { c: 3 } });
    expect(parseMinerJson('{"POOLS":[,{"POOL":0}]}')).toEqual({ POOLS: [{ POOL: 0 }] });
  });

  it('escapes raw newlines, tabs and control characters inside strings', () => {
    const text = '{"Msg":"line one\nline two\ttab\u0001"}';
    expect(parseMinerJson(text)).toEqual({ Msg: 'line one\nline two\ttab\u0001' });
  });

  it('turns bare nan / inf / -inf into null', () => {
    expect(parseMinerJson('{"temp":nan,"rate":inf,"low":-inf,"ok":1.5,"list":[nan, 2]}')).toEqual({
      temp: null,
      rate: null,
      low: null,
      ok: 1.5,
      list: [null, 2],
    });
  });

  it('does not touch nan/inf inside strings or as part of words', () => {
    expect(parseMinerJson('{"Msg":"nan inf","x":1,"info":"-inf"}')).toEqual({ Msg: 'nan inf', x: 1, info: '-inf' });
  });

  it("repairs invalid escapes: \\' becomes ', unknown escapes keep their backslash", () => {
    expect(parseMinerJson(String.raw`{"a":"it\'s","b":"C:\xyz","c":"\u00e9"}`)).toEqual({ a: "it's", b: 'C:\\xyz', c: 'é' });
  });

  it('strips the NUL terminator and anything after it', () => {
    expect(parseMinerJson(Buffer.from('{"id":1}\u0000garbage'))).toEqual({ id: 1 });
    expect(parseMinerJson('{"id":1}\u0000')).toEqual({ id: 1 });
  });

  it('cuts trailing garbage after the last closing bracket', () => {
    expect(parseMinerJson('{"id":1,}  \r\n}junk')).toEqual({ id: 1 });
  });

  it('merges top-level objects sent back to back', () => {
    expect(parseMinerJson('{"STATUS":[{"STATUS":"S"}]}{"SUMMARY":[{"Elapsed":5}]}')).toEqual({
      STATUS: [{ STATUS: 'S' }],
      SUMMARY: [{ Elapsed: 5 }],
    });
  });

  it('fixes several quirks in one reply', () => {
    const text = '{"STATS":[{"ID":"BC5","temp":nan,}{"Msg":"a\nb",}],"id":1,}\u0000';
    expect(parseMinerJson(text)).toEqual({ STATS: [{ ID: 'BC5', temp: null }, { Msg: 'a\nb' }], id: 1 });
  });

  it('throws a clear error for text that is not JSON at all', () => {
    expect(() => parseMinerJson('HTTP/1.1 400 Bad Request\r\n\r\n')).toThrow(/not JSON even after repair.*HTTP\/1\.1 400/);
  });
});
