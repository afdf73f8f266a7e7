import { chromium, type Browser } from 'playwright-core';

/**
 * Debian's chromium (`apt-get install chromium`; .ci/run installs it): playwright-core downloads
 * no browser of its own, and the machine has no outside network to fetch one.
 */
const CHROMIUM = '/usr/bin/chromium';

/** Headless and quiet: nothing in the browser may try to reach the internet. */
const ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, headless: true, args: ARGS });
}
