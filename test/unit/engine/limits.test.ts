// Limits that keep the editor responsive (docs/language.md §7): past each, a diagnostic says
// what was skipped and why.
import { describe, expect, it } from 'vitest';
import { analyze, EDITOR_LIMITS, sourceFromText } from '../../../server/src/engine/index';
import { formatFileSize } from '../../../server/src/engine/report/format';

describe('editor limits', () => {
  it('a file past maxFileChars is not analysed, and one warning says why', () => {
    const text = `# ${'x'.repeat(2000)}\nmodel m { layers = 0 }\n`;
    const a = analyze(sourceFromText(text), { maxFileChars: 1000 });
    expect(a.diagnostics).toHaveLength(1);
    const d = a.diagnostics[0];
    expect(d.code).toBe('limit');
    expect(d.severity).toBe('warning');
    // 2,026 characters against a limit of 1,000: sizes small enough to need kB, not "0.0 MB".
    expect(d.message).toBe('this file is 2.03 kB; the editor checks files up to 1 kB, so it is not checked here (run `shardlens check` on it)');
    // The range is the first line, within the text.
    expect(d.span).toEqual({ start: 0, end: text.indexOf('\n') });
    // Under the limit the same file is checked: the bad `layers` is found.
    const b = analyze(sourceFromText(text));
    expect(b.diagnostics.some((x) => x.code === 'unit')).toBe(true);
  });

  it('only the first maxCostedLayouts layouts are costed, and the first one skipped says so', () => {
    const layouts = Array.from({ length: 5 }, (_, i) => `layout l${i} { model = palm_8b, mesh = tpu_v4 { x = 4 }, workload { batch = 8, prompt = 128, generate = 8 }, ffn = ws1d, attention = batch }`).join('\n');
    const a = analyze(sourceFromText(layouts), { maxCostedLayouts: 3, maxHintLayouts: 0 });
    expect([...a.costs.keys()]).toEqual(['l0', 'l1', 'l2']);
    const limits = a.diagnostics.filter((d) => d.code === 'limit');
    expect(limits).toHaveLength(1);
    expect(limits[0].layout).toBe('l3');
    expect(limits[0].message).toMatch(/only the first 3 layouts are costed while editing; 'l3' and the 1 after it/);
  });

  it('states file sizes in MB from 0.1 MB up and in kB or bytes below', () => {
    expect(formatFileSize(EDITOR_LIMITS.maxFileChars)).toBe('1.0 MB');
    expect(formatFileSize(100_000)).toBe('0.1 MB');
    expect(formatFileSize(99_000)).toBe('99 kB');
    expect(formatFileSize(1_000)).toBe('1 kB');
    expect(formatFileSize(640)).toBe('640 B');
  });

  it('the editor limits are finite and the CLI default is not limited', () => {
    expect(EDITOR_LIMITS.maxFileChars).toBeGreaterThanOrEqual(1_000_000);
    const a = analyze(sourceFromText('# '.padEnd(5000, 'y')));
    expect(a.diagnostics).toEqual([]);
  });

  it('a base chain longer than 64 is cut with a limit error, without deep recursion', () => {
    const lines = ['model m0 = palm_8b { }'];
    for (let i = 1; i < 5000; i++) lines.push(`model m${i} = m${i - 1} { }`);
    const a = analyze(sourceFromText(lines.join('\n')), { cost: false });
    const limits = a.diagnostics.filter((d) => d.code === 'limit');
    // m63 is the first whose chain (m63 … m0, then palm_8b: 65 declarations) is longer than 64.
    expect(limits[0].message).toBe('model m63 starts from a chain of more than 64 declarations; shorten the chain');
    expect(limits).toHaveLength(5000 - 63);
  });
});
