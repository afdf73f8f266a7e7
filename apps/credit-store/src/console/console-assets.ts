import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const CONTENT_TYPES = {
  'index.html': 'text/html; charset=utf-8',
  'console.js': 'text/javascript; charset=utf-8',
  'console.css': 'text/css; charset=utf-8',
} as const;

export type ConsoleAssetName = keyof typeof CONTENT_TYPES;

export interface ConsoleAsset {
  body: Buffer;
  contentType: string;
}

export type ConsoleAssets = Record<ConsoleAssetName, ConsoleAsset>;

export const CONSOLE_ASSETS = Symbol('tally:console-assets');

/**
 * The console's static files, read once at boot: a build that did not copy them (nest-cli.json
 * "assets") fails at start instead of serving 404s. The folder sits beside this file both in the
 * sources (tests) and in dist.
 */
export function loadConsoleAssets(dir = join(__dirname, 'assets')): ConsoleAssets {
  const entries = (Object.keys(CONTENT_TYPES) as ConsoleAssetName[]).map((name) => [
    name,
    { body: readFileSync(join(dir, name)), contentType: CONTENT_TYPES[name] },
  ]);
  return Object.fromEntries(entries) as ConsoleAssets;
}
