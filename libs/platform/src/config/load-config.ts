import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { formatValidationErrors } from '@tally/contracts';
import { isLoopback } from './listen-address';
import { StartupRefusal } from './startup-refusal';

/**
 * Builds an app's config from the environment. The config class names its fields after the
 * variables and gives each a safe local default, so a bad value fails at boot naming the variable.
 */
export function loadConfig<T extends object>(
  cls: new () => T,
  env: NodeJS.ProcessEnv = process.env,
): T {
  const defaults = new cls();
  const given: Record<string, string> = {};
  for (const key of Object.keys(defaults)) {
    const value = env[key];
    if (value !== undefined && value !== '') given[key] = value;
  }
  const config = plainToInstance(cls, given, {
    enableImplicitConversion: true,
    exposeDefaultValues: true,
  });
  const errors = validateSync(config);
  if (errors.length > 0) {
    throw new StartupRefusal(`invalid configuration: ${formatValidationErrors(errors).join('; ')}`);
  }
  const secrets = Object.keys(defaults).filter((key) => key.endsWith('_TOKEN'));
  // The local defaults of secrets are public (they are in this repository), given or not.
  const publicOnes = secrets
    .sort()
    .filter((key) => !given[key] || given[key] === (defaults as Record<string, unknown>)[key]);
  if (publicOnes.length > 0 && (config as { NODE_ENV?: string }).NODE_ENV === 'production') {
    throw new StartupRefusal(
      `invalid configuration: ${publicOnes.join(', ')} must be set to a secret of your own in production (not the local default)`,
    );
  }
  const host = (config as { HOST?: string }).HOST;
  if (publicOnes.length > 0 && host !== undefined && !isLoopback(host)) {
    throw new StartupRefusal(
      `invalid configuration: HOST=${host} lets other machines in, and ${publicOnes.join(', ')} ${publicOnes.length > 1 ? 'are' : 'is'} the public default: set ${publicOnes.length > 1 ? 'them' : 'it'} to a secret of your own, or leave HOST unset (127.0.0.1)`,
    );
  }
  // The guard tells the roles apart by the token alone.
  const values = secrets.map((key) => (config as Record<string, unknown>)[key]);
  if (new Set(values).size < values.length) {
    throw new StartupRefusal(`invalid configuration: ${secrets.join(' and ')} must differ`);
  }
  return config;
}
