import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadConsoleAssets } from './console-assets';

describe('loadConsoleAssets', () => {
  it('reads the page, script and style from beside the module, each with its content type', () => {
    const assets = loadConsoleAssets();
    expect(assets['index.html'].contentType).toBe('text/html; charset=utf-8');
    expect(assets['index.html'].body.toString()).toContain('src="/console/console.js"');
    expect(assets['console.js'].contentType).toBe('text/javascript; charset=utf-8');
    expect(assets['console.css'].contentType).toBe('text/css; charset=utf-8');
  });

  it('fails at boot, naming the file, when the build did not copy the assets', () => {
    const empty = mkdtempSync(join(tmpdir(), 'tally-console-'));
    expect(() => loadConsoleAssets(empty)).toThrow(/index\.html/);
  });
});
