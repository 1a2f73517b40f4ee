import { describe, expect, it } from 'vitest';
import { toCsv } from '../../server/util/csv.js';

describe('CSV export', () => {
  it('quotes what RFC 4180 says to quote and defuses spreadsheet formulas from agent-supplied text', () => {
    const csv = toCsv(['rig', 'message', 'value'], [
      ['site-01-r00001', 'hashboard 1 at 95.0 °C, limit 90', 95],
      ['=HYPERLINK("http://evil")', 'say "hi"\nthen', null],
      ['-1+2', '@SUM(A1)', Number.NaN],
    ]);
    expect(csv.split('\r\n')).toEqual([
      'rig,message,value',
      'site-01-r00001,"hashboard 1 at 95.0 °C, limit 90",95',
      `"'=HYPERLINK(""http://evil"")","say ""hi""\nthen",`,
      "'-1+2,'@SUM(A1),",
      '',
    ]);
  });
});
