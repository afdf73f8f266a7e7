import { plainToInstance } from 'class-transformer';
import { validateSync } from 'class-validator';
import { formatValidationErrors } from '@tally/contracts';

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
    throw new Error(`invalid configuration: ${formatValidationErrors(errors).join('; ')}`);
  }
  const secrets = Object.keys(defaults).filter((key) => key.endsWith('_TOKEN'));
  if (env.NODE_ENV === 'production') {
    // The local defaults of secrets are public (they are in this repository), given or not.
    const publicOnes = secrets
      .sort()
      .filter((key) => !given[key] || given[key] === (defaults as Record<string, unknown>)[key]);
    if (publicOnes.length > 0) {
      throw new Error(
        `invalid configuration: ${publicOnes.join(', ')} must be set to a secret of your own in production (not the local default)`,
      );
    }
  }
  // The guard tells the roles apart by the token alone.
  const values = secrets.map((key) => (config as Record<string, unknown>)[key]);
  if (new Set(values).size < values.length) {
    throw new Error(`invalid configuration: ${secrets.join(' and ')} must differ`);
  }
  return config;
}
