import { readFileSync } from 'node:fs';
import path from 'node:path';
import {
  OUTPUT,
  readSettings,
  renderConfigurationReference,
  undeclaredReads,
} from './config-reference';

describe('the configuration reference', () => {
  it('is what `npm run docs:config` writes from the config classes now', async () => {
    const written = readFileSync(path.join(__dirname, '..', OUTPUT), 'utf8');
    // On a difference: run `npm run docs:config` and commit docs/configuration.md.
    expect(written).toBe(await renderConfigurationReference());
  });

  it('declares every variable the apps, libs, scripts and tools read (or says why it is no setting)', () => {
    // On a finding: add the variable to its app's config class (with a doc comment), or, for a
    // script, to SCRIPT_VARIABLES in scripts/config-reference.js.
    expect(undeclaredReads()).toEqual([]);
  });

  it('describes every declared variable, in its doc comment', () => {
    const settings = readSettings();
    expect(settings.length).toBeGreaterThan(40);
    expect(settings.filter((s) => !s.description).map((s) => `${s.className}.${s.name}`)).toEqual(
      [],
    );
  });

  it('says which apps read a variable: the shared ones both, the others their own', () => {
    const apps = Object.fromEntries(readSettings().map((s) => [s.name, s.apps]));
    expect(apps).toMatchObject({
      ADMIN_TOKEN: ['ai-gateway', 'credit-store'],
      GATEWAY_PORT: ['ai-gateway'],
      CREDIT_STORE_PORT: ['credit-store'],
    });
  });
});
